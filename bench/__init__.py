"""Benchmarks: crampkg's server side by side with its peers on the same data in the same run."""
