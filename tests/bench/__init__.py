"""Balai's benchmark suite: `make bench` (or `python -m tests.bench`) prints one table of numbers.

Benchmarks measure and print; they never pass or fail a build, and pytest does not collect them (no
module here is named like a test). Each row runs against one fresh demo server in a temporary folder.
"""
