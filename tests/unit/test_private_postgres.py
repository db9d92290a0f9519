"""The private PostgreSQL that the hub tests run against: it starts, takes a commit, survives a SIGKILL of
its postmaster with that commit intact (fsync on), and restarts on the same data directory and port."""

from __future__ import annotations

import os

import psycopg
import pytest

from tests.support.pg_fixture import postgres_dsn, postgres_server  # noqa: F401
from tests.support.postgres import PrivatePostgres, require_postgres


def test_commit_survives_sigkill_and_restart() -> None:
    require_postgres()
    with PrivatePostgres() as server:
        dsn = server.create_database("village")
        assert dsn == f"postgresql://balai@127.0.0.1:{server.port}/village"
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SHOW fsync").fetchone() == ("on",)
            assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
            conn.execute("CREATE TABLE letters (id serial PRIMARY KEY, body text NOT NULL)")
            conn.execute("INSERT INTO letters (body) VALUES (%s)", ("surat keterangan domisili",))
            conn.commit()
        pending = psycopg.connect(dsn)  # an open transaction at crash time must vanish, not half-apply
        pending.execute("INSERT INTO letters (body) VALUES ('never committed')")
        port, data_dir, pid = server.port, server.data_dir, server.pid
        assert pid is not None

        server.kill()
        assert server.pid is None
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(dsn, connect_timeout=2)
        pending.close()

        server.start()
        assert (server.port, server.data_dir) == (port, data_dir)
        assert server.pid not in (None, pid)
        with psycopg.connect(dsn) as conn:
            rows = conn.execute("SELECT body FROM letters ORDER BY id").fetchall()
        assert rows == [("surat keterangan domisili",)]
        server.stop()
        assert server.pid is None
        root = server.root
    assert not root.exists()


def test_stop_is_prompt_with_a_client_still_connected() -> None:
    require_postgres()
    with PrivatePostgres() as server:
        forgotten = psycopg.connect(server.dsn())
        server.stop()  # a "smart" shutdown would wait for `forgotten` forever
        assert server.pid is None
        forgotten.close()
        server.start()  # a clean stop keeps the cluster startable too
        with psycopg.connect(server.dsn()) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_fixture_gives_each_test_its_own_database(postgres_dsn: str) -> None:  # noqa: F811
    with psycopg.connect(postgres_dsn) as conn:
        name = conn.execute("SELECT current_database()").fetchone()
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        user = conn.execute("SELECT current_user").fetchone()
    assert name is not None and name[0].startswith("balai_test_") and postgres_dsn.endswith(name[0])
    assert tables == (0,) and user == ("balai",)
