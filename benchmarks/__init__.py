"""Scale benchmark, run by hand: python -m benchmarks.run (see docs/benchmarks.md)."""
