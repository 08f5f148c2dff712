"""Benchmark tooling (``make bench``): synthetic data generator, load test, result writers. Not a test."""
