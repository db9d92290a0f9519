"""The residents API on a real server: operators search with masked numbers, viewers get statistics only."""

from __future__ import annotations

import re

import httpx

from tests.support.server import make_token


def test_search_and_statistics(start_server, data_dir):  # noqa: ANN001
    server = start_server(extra_env={"BALAI_DEMO_POPULATION": "1"})
    operator = {"Authorization": f"Bearer {make_token(data_dir, 'meja-1', 'operator')}"}
    viewer = {"Authorization": f"Bearer {make_token(data_dir, 'tv', 'viewer')}"}
    assert httpx.get(f"{server.url}/api/v1/residents", params={"q": "siti"}).status_code == 401
    assert httpx.get(f"{server.url}/api/v1/residents", params={"q": "siti"}, headers=viewer).status_code == 403
    found = httpx.get(f"{server.url}/api/v1/residents", params={"q": "siti"}, headers=operator)
    assert found.status_code == 200
    hits = found.json()
    assert 0 < len(hits) <= 20 and all("siti" in h["nama"].lower() for h in hits)
    for hit in hits:
        assert re.fullmatch(r"\d{4}\*{10}\d{2}", hit["nik"]) and re.fullmatch(r"\d{4}\*{10}\d{2}", hit["no_kk"])
        assert {"alamat", "dusun", "rw", "rt", "status", "age", "id"} <= hit.keys()
    by_nik = httpx.get(f"{server.url}/api/v1/residents", params={"q": "3204"}, headers=operator).json()
    assert len(by_nik) == 20
    assert httpx.get(f"{server.url}/api/v1/residents", params={"q": ""}, headers=operator).status_code == 422
    stats = httpx.get(f"{server.url}/api/v1/stats/population", headers=viewer)
    assert stats.status_code == 200
    body = stats.json()
    assert body["total"] > 1500
    assert body["by_sex"]["laki_laki"] + body["by_sex"]["perempuan"] == body["total"]
    assert sum(body["by_dusun"].values()) == body["total"] and len(body["by_dusun"]) == 4
    assert sum(g["laki_laki"] + g["perempuan"] for g in body["by_age_group"].values()) == body["total"]
    schema = httpx.get(f"{server.url}/openapi.json").json()
    assert "/api/v1/residents" in schema["paths"] and "/api/v1/stats/population" in schema["paths"]
