"""Benchmarks of the exchange: `python -m bench.run` (see bench/README.md) and micro-benchmarks."""
