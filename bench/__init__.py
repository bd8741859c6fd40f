"""`make bench`: the nightly sweep against the original daily algorithm, on the simulator. Not shipped: it
needs the sandbox (moto) and runs from a checkout (`python -m bench`)."""
