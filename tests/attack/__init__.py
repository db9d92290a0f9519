"""Attacks that hit village systems before, each one a test (issue 9 item 3)."""
