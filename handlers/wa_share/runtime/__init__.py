"""What every function shares at run time: how Lambda enters it, what it builds once, its clock and budget, the
scheduled event, tracing.
"""
