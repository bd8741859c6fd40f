"""The nightly sweep: planner, work items, worker, one account's sweep, coverage, and the member forwarders'
dead-letter queues.
"""
