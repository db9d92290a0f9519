"""Fault tests: the office server's data against power cuts and SIGKILL (see docs/power.md)."""
