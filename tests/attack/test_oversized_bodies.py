"""Oversized request bodies on every POST route: a declared 50 MB body, a chunked body with no length, and
a Content-Length that lies. Each is refused with 413 and the guard's message (or, for the lie, the route's
own answer to the short body), the server's memory does not grow by the body's size (VmRSS of the real
process), the server never sees the whole body, and no table changes."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.attack.conftest import Office
from tests.attack.rawhttp import post_streaming
from tests.attack.test_csrf import EXPECTED

pytestmark = pytest.mark.slow

MB = 1_000_000
BIG = 50 * MB
UPLOAD_BIG = 60 * MB  # NiceGUI uploads may be 50 MB (resident import): past that cap
RSS_SLACK_KIB = 20_000  # far below the 50 MB body; a server that buffered it would exceed this
POSTS = sorted(re.sub(r"\{[^}]+\}", "X1", path) for path in EXPECTED) + ["/_nicegui/client/X1/upload/X2"]


def content_type(path: str) -> str:
    if path.startswith("/api/"):
        return "application/json"
    if "/upload/" in path:
        return "multipart/form-data; boundary=----balai"
    return "application/x-www-form-urlencoded"


def size_for(path: str) -> int:
    return UPLOAD_BIG if "/upload/" in path else BIG


def snapshot(office: Office) -> dict[str, int]:
    """Row counts of every table: an oversized post must change none."""
    names = [row[0] for row in office.query("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND name NOT LIKE 'sqlite_%'")]
    return {name: office.count(f'"{name}"') for name in names}


@pytest.mark.parametrize("path", POSTS)
def test_a_declared_huge_body_is_refused_before_it_is_read(office: Office, path: str) -> None:
    before, rss = snapshot(office), office.rss_kib()
    answer = post_streaming(office.server.port, path, 64 * 1024, content_type=content_type(path),
                            declared=size_for(path))
    assert answer.status == 413, (path, answer.status, answer.body[:200])
    assert "terlalu besar" in answer.body and "too large" in answer.body
    assert office.rss_kib() - rss < RSS_SLACK_KIB
    assert snapshot(office) == before


@pytest.mark.parametrize("path", POSTS)
def test_a_chunked_body_without_length_is_cut_off(office: Office, path: str) -> None:
    before, rss = snapshot(office), office.rss_kib()
    answer = post_streaming(office.server.port, path, size_for(path), content_type=content_type(path), chunked=True)
    # 413 from the guard, or the route's own early refusal: no login (401, or 303 to the login page), an
    # unknown upload (404), or a form field past the form parser's own 1 MB part limit (400 "bad form").
    assert answer.status in (413, 400, 401, 404, 303), (path, answer.status, answer.body[:200])
    if answer.status == 413:
        assert "terlalu besar" in answer.body
    assert answer.sent < size_for(path), "the server read the whole body before answering"
    assert office.rss_kib() - rss < RSS_SLACK_KIB
    assert snapshot(office) == before


@pytest.mark.parametrize("path", ["/m/survey", "/m/complaint", "/api/v1/queue/tickets"])
def test_a_length_that_lies_small_gets_the_routes_answer_and_nothing_more(office: Office, path: str) -> None:
    """Content-Length 100 followed by 20 MB: the server reads 100 bytes, answers, and drops the rest."""
    before, rss = snapshot(office), office.rss_kib()
    answer = post_streaming(office.server.port, path, 20 * MB, content_type=content_type(path), declared=100)
    assert 400 <= answer.status < 500, (path, answer.status, answer.body[:200])
    assert office.rss_kib() - rss < RSS_SLACK_KIB
    assert snapshot(office) == before
    assert httpx.get(f"{office.url}/api/v1/health", timeout=10).status_code == 200


def test_a_phone_form_within_the_cap_still_goes_through(office: Office) -> None:
    """The cap is not a wall: a normal phone login post still reaches its route (wrong PIN, one answer)."""
    response = httpx.post(f"{office.url}/m/surat", data={"nik": "3204120505630009", "pin": "123987"},
                          headers={"X-Forwarded-For": "10.9.9.9"}, timeout=15)
    assert response.status_code == 401, response.text[:300]
    assert "NIK atau PIN salah" in response.text
