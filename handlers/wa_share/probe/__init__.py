"""The live probe of the real-time path: what a probe is, and its scheduled runs."""
