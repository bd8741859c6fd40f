"""The `wa-share` subcommands: one module each, exposing `register(subcommands)`; shared plumbing beside them."""
