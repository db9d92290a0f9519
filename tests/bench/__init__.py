"""Balai's benchmark suite: `make bench` (or `python -m tests.bench`) prints one table of numbers.

Benchmarks measure and print; they never pass or fail a build, and pytest does not collect them (no
module here is named like a test). Rows 1-6 run against one fresh demo server in a temporary folder; the
residents rows (tests/bench/residents.py) run in-process on temporary databases after that server stops.
"""
