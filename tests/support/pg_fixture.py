"""pytest fixtures for a private PostgreSQL: one server per test session, one fresh database per test.

Starting a server costs about a second (initdb more), so the session shares one; isolation comes from a new,
uniquely named database for every test, dropped afterwards. A test that kills or stops the server must use its
own PrivatePostgres instead, or the tests after it lose theirs.

Use them from a test module with:

    from tests.support.pg_fixture import postgres_server, postgres_dsn  # noqa: F401
"""

from __future__ import annotations

import secrets
from typing import Iterator

import pytest

from tests.support.postgres import PrivatePostgres, require_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PrivatePostgres]:
    """A started private PostgreSQL for the whole session (skipped, or failed under CI=true, if missing)."""
    require_postgres()
    with PrivatePostgres() as server:
        yield server


@pytest.fixture
def postgres_dsn(postgres_server: PrivatePostgres) -> Iterator[str]:
    """The DSN of a new, empty database that only this test uses; dropped when the test ends."""
    import psycopg

    name = f"balai_test_{secrets.token_hex(6)}"
    yield postgres_server.create_database(name)
    try:
        postgres_server.drop_database(name)
    except psycopg.OperationalError:
        pass  # the test left the server down; the whole data directory goes at the end of the session
