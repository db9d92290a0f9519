"""The public JSON API of a real server process: health, services, tickets, calling, the board, the
OpenAPI schema, the per-client rate limit and the phone status page."""

from __future__ import annotations

import httpx
import pytest

from tests.support.server import BalaiServer, make_token
from tests.system.helpers import take_ticket

pytestmark = pytest.mark.slow

Q = "/api/v1/queue"


@pytest.fixture
def server(start_server) -> BalaiServer:  # noqa: ANN001 - the conftest factory
    return start_server()


@pytest.fixture
def client(server: BalaiServer) -> httpx.Client:
    with httpx.Client(base_url=server.url, timeout=10.0) as http:
        yield http


def test_health_reports_status_version_database_and_printers(client: httpx.Client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] in {"ok", "degraded"}
    assert isinstance(body["version"], str) and body["version"]
    assert body["database"]["state"] == "ok"
    assert body["database"]["journal_mode"] == "wal"
    assert body["database"]["schema_version"] >= 1
    # demo mode without a printer URL uses the preview printer
    assert len(body["printers"]) == 1
    printer = body["printers"][0]
    assert set(printer) >= {"name", "kind", "ready", "detail", "pending_jobs"}
    assert printer["pending_jobs"] >= 0


def test_ticket_flow_call_and_board(server: BalaiServer, client: httpx.Client, data_dir) -> None:  # noqa: ANN001
    services = client.get(f"{Q}/services")
    assert services.status_code == 200
    listed = services.json()
    assert [s["prefix"] for s in listed] == ["A", "B", "C", "D"]
    assert listed[0]["name"] == "Administrasi Kependudukan"
    assert all(s["waiting"] == 0 for s in listed)

    first = client.post(f"{Q}/tickets", json={"service": "A"})
    assert first.status_code == 201, first.text
    one = first.json()
    assert one["number"] == "A-001"
    assert one["service"] == "A"
    assert one["service_name"] == "Administrasi Kependudukan"
    assert one["ahead"] == 0
    assert one["status"] == "waiting"
    assert len(one["id"]) >= 16
    assert one["status_url"] == f"{server.url}/m/t/{one['id']}"

    second = client.post(f"{Q}/tickets", json={"service": "A"})
    assert second.status_code == 201
    two = second.json()
    assert two["number"] == "A-002" and two["ahead"] == 1 and two["id"] != one["id"]

    unknown = client.post(f"{Q}/tickets", json={"service": "Z"})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/json")
    assert unknown.json()["error"] == "error.service_unknown"
    assert unknown.json()["message"] == "Layanan Z tidak tersedia."
    english = client.post(f"{Q}/tickets", json={"service": "Z"}, headers={"Accept-Language": "en"})
    assert english.status_code == 404 and english.json()["message"] != unknown.json()["message"]

    for malformed in ({}, {"service": ""}, {"service": "AB"}, {"service": 7}):
        assert client.post(f"{Q}/tickets", json=malformed).status_code == 422, malformed
    not_json = client.post(f"{Q}/tickets", content=b"{service: A", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 422

    status = client.get(f"{Q}/tickets/{two['id']}")
    assert status.status_code == 200
    assert status.json()["status"] == "waiting" and status.json()["ahead"] == 1 and status.json()["number"] == "A-002"
    missing = client.get(f"{Q}/tickets/does-not-exist")
    assert missing.status_code == 404 and missing.json()["error"] == "error.ticket_unknown"

    assert [s["waiting"] for s in client.get(f"{Q}/services").json()] == [2, 0, 0, 0]

    # calling needs an operator: nobody -> 401, a viewer token -> 403, an operator token -> 200
    call = f"{Q}/counters/1/call-next"
    anonymous = client.post(call)
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "error.unauthorized"
    bogus = client.post(call, headers={"Authorization": "Bearer not-a-real-token"})
    assert bogus.status_code == 401
    viewer = make_token(data_dir, "tv", role="viewer")
    forbidden = client.post(call, headers={"Authorization": f"Bearer {viewer}"})
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "error.forbidden"
    operator = {"Authorization": f"Bearer {make_token(data_dir, 'loket-1')}"}

    called = client.post(call, headers=operator)
    assert called.status_code == 200, called.text
    assert called.json()["number"] == "A-001"
    assert called.json()["status"] == "called" and called.json()["counter"] == "Loket 1"
    assert client.get(f"{Q}/tickets/{one['id']}").json()["status"] == "called"
    assert client.get(f"{Q}/tickets/{two['id']}").json()["ahead"] == 0

    board = client.get(f"{Q}/now-serving").json()
    assert {"counter": "Loket 1", "number": "A-001"} in board["counters"]
    assert {"counter": "Loket 2", "number": None} in board["counters"]
    assert board["last_calls"][0]["number"] == "A-001" and board["last_calls"][0]["counter"] == "Loket 1"
    assert board["last_calls"][0]["recall"] is False
    assert board["waiting"] == 1

    # by counter name too; the previous ticket is finished by the next call
    by_name = client.post(f"{Q}/counters/Loket 1/call-next", headers=operator)
    assert by_name.status_code == 200 and by_name.json()["number"] == "A-002"
    assert client.get(f"{Q}/tickets/{one['id']}").json()["status"] == "done"

    nobody = client.post(call, headers=operator)
    assert nobody.status_code == 404
    assert nobody.json() == {"error": "queue.nobody", "message": "Tidak ada antrian yang menunggu."}
    board = client.get(f"{Q}/now-serving").json()
    assert {"counter": "Loket 1", "number": None} in board["counters"]
    assert board["waiting"] == 0

    unknown_counter = client.post(f"{Q}/counters/99/call-next", headers=operator)
    assert unknown_counter.status_code == 404 and unknown_counter.json()["error"] == "error.counter_unknown"


def test_openapi_documents_the_api(client: httpx.Client) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/api/v1/health": "get",
        f"{Q}/services": "get",
        f"{Q}/tickets": "post",
        f"{Q}/tickets/{{ticket_id}}": "get",
        f"{Q}/counters/{{counter}}/call-next": "post",
        f"{Q}/now-serving": "get",
    }
    for path, method in expected.items():
        assert path in paths, f"{path} missing from the OpenAPI schema"
        assert method in paths[path], f"{method.upper()} {path} missing from the OpenAPI schema"
    take = paths[f"{Q}/tickets"]["post"]
    assert {"201", "404", "422", "429"} <= set(take["responses"])
    assert {"401", "403", "404"} <= set(paths[f"{Q}/counters/{{counter}}/call-next"]["post"]["responses"])
    assert "/m/t/{public_id}" not in paths  # the phone page is HTML, not API


def test_ticket_endpoint_is_rate_limited_per_client(start_server) -> None:  # noqa: ANN001
    server = start_server(extra_env={"BALAI_TICKET_RATE_PER_MINUTE": "5"})
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        codes = [client.post(f"{Q}/tickets", json={"service": "B"}).status_code for _ in range(5)]
        assert codes == [201] * 5
        limited = client.post(f"{Q}/tickets", json={"service": "B"})
        assert limited.status_code == 429
        assert limited.json()["error"] == "error.rate_limited"
        assert limited.json()["message"].startswith("Terlalu banyak permintaan")
        # the refused request took no number, and reading is not limited
        services = client.get(f"{Q}/services").json()
        assert next(s for s in services if s["prefix"] == "B")["waiting"] == 5
        assert client.get(f"{Q}/now-serving").status_code == 200


def test_phone_status_page(server: BalaiServer, client: httpx.Client) -> None:
    ticket = take_ticket(server.url, "C")
    page = httpx.get(ticket["status_url"], timeout=10.0)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert ticket["number"] in page.text and "C-001" in page.text
    assert "Pengaduan" in page.text and "Menunggu" in page.text
    assert page.headers.get("cache-control") == "no-store"
    english = client.get(f"/m/t/{ticket['id']}", params={"lang": "en"})
    assert english.status_code == 200 and "Waiting" in english.text

    unknown = client.get("/m/t/0123456789abcdef0123456789abcdef")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    assert "Nomor antrian tidak ditemukan." in unknown.text
    # a hostile id is not reflected into the page
    hostile = client.get("/m/t/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert hostile.status_code == 404 and "<script>alert" not in hostile.text
