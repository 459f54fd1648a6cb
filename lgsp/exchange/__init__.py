"""The synchronous exchange: authenticate, authorize, validate, audit, forward, audit, answer."""
