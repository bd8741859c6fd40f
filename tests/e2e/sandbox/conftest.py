"""The served sandbox, for every test here that talks to a running system (the probe's and the guard's)."""

from tests.e2e.sandbox.test_probe_serve import serving

__all__ = ["serving"]
