"""The AWS boundary: the one client configuration, member-role sessions, errors classified once, and the AWS APIs
as wa-share uses them.
"""
