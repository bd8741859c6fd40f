"""The share rules: what counts as shared and how to make it true, the share rows, and who is outside the
organization.
"""
