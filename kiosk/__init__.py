"""Balai office server: settings, database, domain services, NiceGUI pages, HTTP API and CLI."""

from importlib.metadata import PackageNotFoundError, version


def balai_version() -> str:
    """The installed distribution version; falls back for a source checkout that was never installed."""
    try:
        return version("balai")
    except PackageNotFoundError:
        return "0.0.0+source"
