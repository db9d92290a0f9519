"""The district's overview: sync health and alerts per village, headline counts, one village's statistics —
counted in SQL on both engines the hub runs on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sync.hub.overview import (district_totals, recent_incidents, recent_rejections, village_statistics,
                               village_summary, villages_summary)
from sync.hub.store import HubDatabaseInfo
from tests.hub.support import add_incident, add_person, add_record, add_rejection, add_village

pytestmark = pytest.mark.usefixtures("any_hub_db")
HOURS = 24.0


def test_counts_only_living_residents_current_families_and_letters() -> None:
    add_village("3204122001", "Sukamaju", last_success=timedelta(hours=1), last_contact=timedelta(hours=1))
    add_person("3204122001", "p1")
    add_person("3204122001", "p2", status_dasar=1)
    add_person("3204122001", "p3", sex=2, born=None)                       # no status: counted as living
    add_person("3204122001", "p4", status_dasar=2)                         # died
    add_person("3204122001", "p5", status_dasar=3)                         # moved away
    add_person("3204122001", "p6", deleted_at="2026-01-05 10:00:00")       # removed in the village
    add_record("3204122001", "penduduk", "p7", None)                       # tombstone
    add_record("3204122001", "keluarga", "k1", {"no_kk": "3204120101800009"})
    add_record("3204122001", "keluarga", "k2", {"no_kk": "3204120101800010", "deleted_at": "2026-01-01"})
    add_record("3204122001", "keluarga", "k3", None)
    add_record("3204122001", "letter", "l1", {"number": "1", "content_hash": "ab"})
    add_record("3204122001", "letter", "l2", {"number": "2", "content_hash": "cd", "revoked_at": "2026-02-01"})
    add_record("3204122001", "letter", "l3", None)
    add_incident("3204122001", "bad_signature")
    add_village("3204122002", "Mekarsari", last_success=timedelta(hours=2), last_contact=timedelta(hours=2))
    add_person("3204122002", "q1")

    rows = villages_summary(HOURS)

    assert [r["code"] for r in rows] == ["3204122001", "3204122002"]
    first, second = rows
    assert (first["residents"], first["families"], first["letters"], first["incidents"]) == (3, 1, 2, 1)
    assert (second["residents"], second["families"], second["letters"], second["incidents"]) == (1, 0, 0, 0)
    assert first["name"] == "Sukamaju" and first["kecamatan"] == "Cisarua"
    totals = district_totals(rows)
    assert totals["villages"] == 2 and totals["residents"] == 4 and totals["letters"] == 2 and totals["alerts"] == 0


def test_alerts_never_stale_and_backlog_and_the_age_of_the_oldest_change() -> None:
    add_village("3204122001", "Baik", last_success=timedelta(hours=1), last_contact=timedelta(minutes=10),
                pending=0, skew=-3.5)
    add_village("3204122002", "Belum", last_contact=timedelta(hours=2), pending=40, oldest_pending_s=600)
    add_village("3204122003", "Lama", last_success=timedelta(hours=30), last_contact=timedelta(hours=30))
    # Last reported 20 h of backlog, 5 h ago: the oldest change has waited 25 h by now.
    add_village("3204122004", "Tertahan", last_success=timedelta(hours=1), last_contact=timedelta(hours=5),
                pending=12, oldest_pending_s=20 * 3600)

    rows = {r["code"]: r for r in villages_summary(HOURS)}

    ok = rows["3204122001"]
    assert not ok["alert"] and ok["alert_reason"] is None
    assert ok["pending"] == 0 and ok["oldest_pending_age_s"] is None and ok["clock_skew_s"] == -3.5
    assert ok["last_sync"] is not None and 3590 < ok["last_sync_age_s"] < 3700
    never = rows["3204122002"]
    assert never["alert"] and never["alert_reason"] == "never" and never["last_sync"] is None
    assert 600 + 7190 < never["oldest_pending_age_s"] < 600 + 7300
    assert rows["3204122003"]["alert_reason"] == "stale"
    # In touch an hour ago with nothing waiting: fine, even though its last batch is two days old.
    add_village("3204122005", "Sepi", last_success=timedelta(hours=48), last_contact=timedelta(hours=1), pending=0)
    assert villages_summary(HOURS)[-1]["alert"] is False
    backlog = rows["3204122004"]
    assert backlog["alert_reason"] == "backlog"
    assert 25 * 3600 - 10 < backlog["oldest_pending_age_s"] < 25 * 3600 + 60
    # With a longer threshold the same village is fine.
    relaxed = village_summary("3204122004", 30.0)
    assert relaxed is not None and relaxed["alert"] is False
    totals = district_totals(rows.values())
    assert totals["alerts"] == 3 and totals["never_synced"] == 1 and totals["pending"] == 52
    assert village_summary("9999999999", HOURS) is None


def test_name_and_kecamatan_fall_back_to_the_villages_own_record() -> None:
    add_village("3204122001", "", kecamatan="", last_success=timedelta(hours=1))
    add_record("3204122001", "village", "v1", {"code": "32.04.12.2001", "name": "Cibodas", "kecamatan": "Lembang"})
    [row] = villages_summary(HOURS)
    assert (row["name"], row["kecamatan"]) == ("Cibodas", "Lembang")


def test_village_statistics_by_sex_age_letters_queue_and_events() -> None:
    today = date(2026, 3, 15)
    vid = "3204122001"
    add_village(vid, "Sukamaju", last_success=timedelta(hours=1))
    add_person(vid, "baby", sex=1, born="2024-01-01")           # 2 years
    add_person(vid, "five", sex=2, born="2021-03-15")           # 5 today: no longer 0-4
    add_person(vid, "four", sex=2, born="2021-03-16")           # 5 tomorrow: still 0-4
    add_person(vid, "teen", sex=1, born="2008-06-01")           # 17
    add_person(vid, "adult", sex=2, born="1990-05-05")          # 35
    add_person(vid, "older", sex=1, born="1970-01-01")          # 56
    add_person(vid, "elder", sex=2, born="1950-01-01")          # 76
    add_person(vid, "nodate", sex=1, born=None)
    add_person(vid, "dead", sex=1, born="1940-01-01", status_dasar=2)
    add_record(vid, "keluarga", "k1", {"no_kk": "3204120101800009"})
    add_record(vid, "letter", "l1", {"number": "1", "type": "SKD", "type_name": "Domisili", "content_hash": "a"})
    add_record(vid, "letter", "l2", {"number": "2", "type": "SKD", "type_name": "Domisili", "content_hash": "b"})
    add_record(vid, "letter", "l3", {"number": "3", "type": "SKTM", "type_name": "Tidak Mampu", "content_hash": "c",
                                     "revoked_at": "2026-03-01 08:00:00"})
    add_record(vid, "queue_day", "2026-03-15", {"services": [], "issued": 30, "done": 28})
    add_record(vid, "queue_day", "2026-02-14", {"services": [], "issued": 10, "done": 9})   # 29 days ago: in
    add_record(vid, "queue_day", "2026-02-13", {"services": [], "issued": 99, "done": 99})  # 30 days ago: out
    add_record(vid, "queue_day", "2026-03-10", {"services": [], "issued": "bad"})          # not a number: 0
    add_record(vid, "penduduk_event", "e1", {"kind": "lahir", "event_date": "2026-03-01"})
    add_record(vid, "penduduk_event", "e2", {"kind": "lahir", "event_date": "2026-03-02"})
    add_record(vid, "penduduk_event", "e3", {"kind": "mati", "event_date": "2026-02-20"})
    add_record(vid, "penduduk_event", "e4", {"kind": "pindah", "event_date": "2025-12-01"})  # too old
    add_record("3204122002", "penduduk", "other", {"nik": "1" * 16, "nama": "X", "sex": 1})  # another village

    stats = village_statistics(vid, today)

    assert stats["residents"] == 8
    assert stats["by_sex"] == {"laki_laki": 4, "perempuan": 4, "unknown": 0}
    assert stats["by_age"] == {"0-4": 2, "5-14": 1, "15-24": 1, "25-44": 1, "45-64": 1, "65+": 1, "unknown": 1}
    assert stats["families"] == 1
    assert stats["letters"] == 3 and stats["letters_revoked"] == 1
    assert stats["letters_by_type"] == [{"type": "SKD", "name": "Domisili", "count": 2},
                                        {"type": "SKTM", "name": "Tidak Mampu", "count": 1}]
    assert [d["day"] for d in stats["queue_days"]] == ["2026-02-14", "2026-03-10", "2026-03-15"]
    assert (stats["queue_issued"], stats["queue_done"]) == (40, 37)
    assert stats["events"] == {"lahir": 2, "mati": 1}


def test_recent_incidents_and_rejections_newest_first() -> None:
    add_village("3204122001", "Sukamaju")
    add_incident("3204122001", "conflict", "batch x", ago=timedelta(hours=2))
    add_incident("3204122001", "bad_signature", "POST /batches", ago=timedelta(hours=1))
    add_incident("3204122002", "wrong_village")
    add_rejection("3204122001", "b1", 4, "penduduk_nik_invalid", ago=timedelta(hours=3))
    add_rejection("3204122001", "b2", 9, "penduduk_sex_invalid", ago=timedelta(hours=1))

    assert [i["kind"] for i in recent_incidents("3204122001")] == ["bad_signature", "conflict"]
    assert [i["kind"] for i in recent_incidents(None, limit=2)] == ["wrong_village", "bad_signature"]
    rejected = recent_rejections("3204122001")
    assert [(r["batch_id"], r["seq"], r["reason"]) for r in rejected] == [("b2", 9, "penduduk_sex_invalid"),
                                                                         ("b1", 4, "penduduk_nik_invalid")]
    assert recent_rejections("3204122002") == []


def test_engine_under_test(any_hub_db: HubDatabaseInfo) -> None:
    """The parametrisation really runs both engines (a skip on the PostgreSQL leg says why when it cannot)."""
    assert any_hub_db.engine in ("sqlite", "postgresql")
