"""What the `wa-share` commands do, without the command line: reusable by the sandbox and by tests."""
