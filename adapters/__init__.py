"""Adapters: how the exchange forwards a call to a provider (see README.md and `adapters.base`)."""
