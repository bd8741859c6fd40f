"""The real-time path: CloudTrail events from the central bus, the share queue, the share of a new workload, and
the share guard.
"""
