"""Shared page pieces: the operator frame, notifications of service errors."""
