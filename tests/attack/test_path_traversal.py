"""Path traversal on every route that takes a name or a path, with the request target sent byte for byte.

A secret file is planted beside the data folder, and the data folder itself holds the database and the
keys outside every served sub-folder. No answer may carry any of them, or /etc/passwd, and none may be a
500, whatever the spelling: `../`, encoded, double-encoded, backslashes, absolute paths, NUL bytes.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.attack.conftest import SECRET, Office
from tests.attack.rawhttp import get_raw

pytestmark = pytest.mark.slow

PAYLOADS = [
    "../../secret.txt", "../../../secret.txt", "..%2f..%2fsecret.txt", "%2e%2e%2f%2e%2e%2fsecret.txt",
    "%2e%2e/%2e%2e/secret.txt", "%252e%252e%252f%252e%252e%252fsecret.txt", "..\\..\\secret.txt",
    "..%5c..%5csecret.txt", "....//....//secret.txt", "..;/..;/secret.txt", "../balai.sqlite3",
    "..%2fbalai.sqlite3", "../secret.key", "../signing.key", "%2fetc%2fpasswd", "/etc/passwd",
    "../" * 12 + "etc/passwd", "%2e%2e%2f" * 12 + "etc%2fpasswd", "secret.txt%00.png", "..%00/..%00/secret.txt",
    "%c0%ae%c0%ae%c0%afsecret.txt", "..%252f..%252fsecret.txt",
]


def prefixes(office: Office) -> list[str]:
    """Every route family that turns a URL part into a file or a record (NiceGUI's own too)."""
    page = httpx.get(f"{office.url}/login", timeout=10).text
    version = page.split("/_nicegui/", 1)[1].split("/", 1)[0]
    return [
        "/audio/", "/pengumuman/gambar/", "/operator/letters/attachments/", "/operator/complaints/1/photo/",
        "/m/complaint/", "/v/", "/operator/letters/types/preview/", f"/_nicegui/{version}/static/",
        f"/_nicegui/{version}/libraries/", f"/_nicegui/{version}/components/",
        f"/_nicegui/{version}/resources/x/", f"/_nicegui/{version}/esm/x/", f"/_nicegui/{version}/dynamic_resources/",
        "/m/s/", "/m/survey/", "/m/t/", "/m/budget/",
    ]


def forbidden_contents(office: Office) -> list[bytes]:
    found = [SECRET.encode(), b"SQLite format 3", b"root:x:0:0"]
    for name in ("secret.key", "signing.key"):
        path = office.data_dir / name
        if path.exists() and path.stat().st_size >= 16:
            found.append(path.read_bytes()[:32])
    return found


def suffixes(office: Office) -> list[str]:
    """The payloads, plus the planted file's absolute path, plain and encoded."""
    absolute = str(office.secret_file)
    return PAYLOADS + [absolute.lstrip("/"), quote(absolute, safe=""), quote(quote(absolute, safe=""), safe="")]


def test_no_route_serves_a_file_outside_its_folder(office: Office) -> None:
    bad = forbidden_contents(office)
    failures: list[str] = []
    for prefix in prefixes(office):
        for suffix in suffixes(office):
            for target in (prefix + suffix, prefix + suffix + ".pdf", prefix + suffix + "/photo"):
                status, body = get_raw(office.server.port, target)
                if status == 0 or status >= 500 or any(secret in body for secret in bad):
                    failures.append(f"{target} -> {status}")
    assert not failures, failures[:20]


def test_the_guarded_folders_still_serve_their_own_files(office: Office) -> None:
    """Not a wall of 404s: the audio folder serves its chime and NiceGUI its own scripts."""
    chime = next((p.name for p in (office.data_dir / "audio").iterdir() if p.is_file()), None)
    assert chime is not None
    status, body = get_raw(office.server.port, f"/audio/{chime}")
    assert status == 200 and body
    page = httpx.get(f"{office.url}/login", timeout=10).text
    script = next(part.split('"')[0] for part in page.split('src="')[1:] if part.startswith("/_nicegui/"))
    assert httpx.get(f"{office.url}{script}", timeout=10).status_code == 200
