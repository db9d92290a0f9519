"""Every page family answers with nosniff, framing protection and a referrer policy (docs/security.md's gap 2):
operator, login, kiosk, display, set-up redirects, the JSON API, static files, verify pages and error pages.
The phone pages keep their own full Content-Security-Policy, unweakened."""

from __future__ import annotations

import httpx
import pytest

from kiosk.pages.phone_letters import SECURITY_HEADERS
from tests.attack.conftest import Office

pytestmark = pytest.mark.slow

NICEGUI_PAGES = ["/login", "/operator", "/operator/letters", "/kiosk", "/kiosk/surat", "/display", "/setup", "/",
                 "/api/v1/health", "/api/v1/queue/services", "/api/v1/residents",
                 "/no-such-page", "/audio/nothing.wav", "/operator/letters/attachments/1"]
PHONE_PAGES = ["/m", "/m/surat", "/m/complaint", "/m/polls", "/m/survey", "/m/pengumuman", "/m/s/ABCD2345",
               "/m/complaint/ABCD2345", "/v/not-a-seal"]


def _get(office: Office, path: str) -> httpx.Response:
    return httpx.get(f"{office.url}{path}", timeout=15, follow_redirects=False)


def _framing_refused(response: httpx.Response) -> bool:
    policy = response.headers.get("content-security-policy", "")
    return response.headers.get("x-frame-options") == "DENY" and "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("path", NICEGUI_PAGES)
def test_nicegui_pages_api_and_errors_carry_the_headers(office: Office, path: str) -> None:
    response = _get(office, path)
    assert response.status_code < 500, response.text[:300]
    assert response.headers.get("x-content-type-options") == "nosniff", (path, dict(response.headers))
    assert _framing_refused(response), (path, dict(response.headers))
    assert response.headers.get("referrer-policy") == "same-origin", (path, dict(response.headers))


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_phone_pages_keep_their_own_strict_policy(office: Office, path: str) -> None:
    response = _get(office, path)
    assert response.status_code < 500, response.text[:300]
    assert response.headers.get("content-security-policy") == SECURITY_HEADERS["Content-Security-Policy"], path
    assert response.headers.get_list("content-security-policy") == [SECURITY_HEADERS["Content-Security-Policy"]]
    assert response.headers.get("referrer-policy") == "no-referrer", path
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("x-frame-options") == "DENY"


def test_static_files_of_nicegui_carry_nosniff(office: Office) -> None:
    page = _get(office, "/login").text
    static = next(part.split('"')[0] for part in page.split('src="')[1:] if part.startswith("/_nicegui/"))
    response = _get(office, static)
    assert response.status_code == 200, static
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert _framing_refused(response)


def test_the_template_preview_may_be_framed_by_our_own_page_only(office: Office) -> None:
    """The letter-type editor shows its PDF preview in an iframe of its own page: same origin only."""
    response = _get(office, "/operator/letters/types/preview/not-a-token.pdf")
    assert response.status_code < 500
    assert response.headers.get("x-frame-options") == "SAMEORIGIN"
    assert response.headers.get("content-security-policy") == "frame-ancestors 'self'"
    assert response.headers.get("x-content-type-options") == "nosniff"
