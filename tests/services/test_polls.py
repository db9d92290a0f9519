"""Village polls: the life of a poll, its rules, one vote per NIK, eligibility, bad input refused with nothing
changed, and the privacy promise — nothing in the database ties a NIK to the option it chose."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest

from kiosk.db import database, reading
from kiosk.models import AuditLog, Penduduk, Poll, PollOption, PollVoter
from kiosk.services import polls, resident_edit
from kiosk.services.clock import utc_now
from kiosk.services.errors import ServiceError
from kiosk.services.resident_edit import PersonInput

QUESTION = "Di mana posyandu baru sebaiknya dibangun?"
OPTIONS = ["Dusun Krajan", "Dusun Sukamulya", "Dusun Cibiru"]


def _local(delta: timedelta) -> str:
    """A village-time (WIB, UTC+7) date-time string `delta` from now, as the operator's form sends it."""
    return (utc_now() + timedelta(hours=7) + delta).strftime("%Y-%m-%dT%H:%M")


def _person(nik: str, born: date | None, kawin: int = 1) -> int:
    person_id, _ = resident_edit.create_person(
        PersonInput(nik=nik, nama=f"Warga {nik[-4:]}", sex=1, tanggallahir=born, tempatlahir="Bandung",
                    agama_id=1, kk_level=1, status_kawin=kawin),
        family_id=None, first_event="datang", event_date=date(2020, 1, 1), actor="op")
    return person_id


@pytest.fixture
def people(demo_db) -> dict[str, int]:
    today = date.today()
    found = {
        "adult": _person("3204120101800001", date(1980, 1, 1)),
        "adult2": _person("3204120101800002", date(1981, 2, 2)),
        "adult3": _person("3204120101800003", date(1982, 3, 3)),
        "young": _person("3204120101100004", today.replace(year=today.year - 15)),
        "young_married": _person("3204120101090005", today.replace(year=today.year - 16), kawin=2),
        "dead": _person("3204120101700006", date(1970, 1, 1)),
        "gone": _person("3204120101700007", date(1970, 1, 1)),
    }
    with database.atomic():
        Penduduk.update(status_dasar=2).where(Penduduk.id == found["dead"]).execute()
        Penduduk.update(status_dasar=3).where(Penduduk.id == found["gone"]).execute()
    return found


def _open_poll(results_live: bool = True) -> str:
    uid = polls.create_draft(QUESTION, "Musyawarah dusun.", OPTIONS, _local(timedelta(hours=-1)),
                             _local(timedelta(days=2)), results_live=results_live, actor="siti")
    polls.publish(uid, actor="siti")
    return uid


def _option(uid: str, position: int) -> int:
    return next(o.id for o in polls.get(uid).options if o.position == position)


def _snapshot() -> tuple:
    with reading():
        return (list(Poll.select().tuples()), list(PollOption.select().tuples()), list(PollVoter.select().tuples()),
                AuditLog.select().count())


def test_draft_publish_vote_close(people):
    uid = polls.create_draft(QUESTION, "", OPTIONS, _local(timedelta(hours=-1)), _local(timedelta(days=1)),
                             actor="siti")
    assert polls.get(uid).phase == "draft"
    with pytest.raises(ServiceError) as refused:
        polls.get(uid, public=True)
    assert refused.value.key == "poll.not_found" and refused.value.status == 404
    assert all(p.uuid != uid for p in polls.public_list())
    polls.update_draft(uid, QUESTION + " (2027)", "Keterangan", [*OPTIONS, "Balai desa"],
                       _local(timedelta(hours=-1)), _local(timedelta(days=1)), actor="siti")
    assert [o.label for o in polls.get(uid).options] == [*OPTIONS, "Balai desa"]
    with pytest.raises(ServiceError) as refused:
        polls.cast_vote(uid, _option(uid, 1), people["adult"], channel="kiosk")
    assert refused.value.key == "poll.not_found"  # a draft is not there for residents

    polls.publish(uid, actor="budi")
    info = polls.get(uid, public=True)
    assert info.phase == "open" and info.results_public
    with pytest.raises(ServiceError) as refused:
        polls.update_draft(uid, QUESTION, "", OPTIONS, _local(timedelta(hours=-1)), _local(timedelta(days=1)),
                           actor="siti")
    assert refused.value.key == "poll.not_draft"
    with pytest.raises(ServiceError):
        polls.delete_draft(uid, actor="siti")
    with pytest.raises(ServiceError):
        polls.publish(uid, actor="siti")

    polls.cast_vote(uid, _option(uid, 2), people["adult"], channel="kiosk", client="10.0.0.5")
    polls.cast_vote(uid, _option(uid, 2), people["adult2"], channel="phone", client="10.0.0.6")
    polls.cast_vote(uid, _option(uid, 4), people["young_married"], channel="phone")
    result = polls.results(uid, public=True)
    assert [o.votes for o in result.options] == [0, 2, 0, 1]
    assert result.total == 3 and result.eligible == 4  # three adults and the married 16-year-old
    assert round(result.options[1].percent, 1) == 66.7 and round(result.turnout) == 75

    polls.close(uid, actor="siti")
    assert polls.get(uid).phase == "over"
    with pytest.raises(ServiceError) as refused:
        polls.cast_vote(uid, _option(uid, 1), people["adult3"], channel="kiosk")
    assert refused.value.key == "poll.not_open"
    with pytest.raises(ServiceError):
        polls.close(uid, actor="siti")
    actions = [row.action for row in AuditLog.select().where(AuditLog.target == uid).order_by(AuditLog.id)]
    assert actions == ["poll.create", "poll.update", "poll.publish", "poll.vote", "poll.vote", "poll.vote",
                       "poll.close"]


def test_one_vote_per_nik_and_eligibility(people):
    uid = _open_poll()
    polls.cast_vote(uid, _option(uid, 1), people["adult"], channel="kiosk")
    before = _snapshot()
    for who, key in (("adult", "poll.already_voted"), ("young", "poll.not_eligible"),
                     ("dead", "poll.not_eligible"), ("gone", "poll.not_eligible")):
        with pytest.raises(ServiceError) as refused:
            polls.cast_vote(uid, _option(uid, 3), people[who], channel="phone")
        assert refused.value.key == key, who
    assert _snapshot() == before  # nothing changed, not even the audit log
    assert polls.has_voted(uid, people["adult"]) and not polls.has_voted(uid, people["adult2"])
    other = polls.create_draft("Perlu lampu jalan di Dusun Krajan?", "", ["Ya", "Tidak"],
                               _local(timedelta(hours=-1)), _local(timedelta(days=1)), actor="siti")
    polls.publish(other, actor="siti")
    with pytest.raises(ServiceError) as refused:
        polls.cast_vote(uid, _option(other, 1), people["adult2"], channel="kiosk")
    assert refused.value.key == "poll.option_unknown"
    polls.cast_vote(other, _option(other, 1), people["adult"], channel="kiosk")  # another poll: a new vote


def test_voting_period(people):
    later = polls.create_draft(QUESTION, "", OPTIONS, _local(timedelta(hours=2)), _local(timedelta(days=1)),
                               actor="siti")
    polls.publish(later, actor="siti")
    assert polls.get(later).phase == "scheduled"
    with pytest.raises(ServiceError) as refused:
        polls.cast_vote(later, _option(later, 1), people["adult"], channel="kiosk")
    assert refused.value.key == "poll.not_open"
    polls.cast_vote(later, _option(later, 1), people["adult"], channel="kiosk", now=utc_now() + timedelta(hours=3))
    after_end = utc_now() + timedelta(days=2)
    with pytest.raises(ServiceError):
        polls.cast_vote(later, _option(later, 1), people["adult2"], channel="kiosk", now=after_end)
    assert polls.get(later, now=after_end).phase == "over"
    past = polls.create_draft(QUESTION, "", OPTIONS, _local(timedelta(days=-3)), _local(timedelta(days=-1)),
                              actor="siti")
    with pytest.raises(ServiceError) as refused:
        polls.publish(past, actor="siti")
    assert refused.value.key == "poll.ends_in_past"


def test_hidden_results_until_over(people):
    uid = _open_poll(results_live=False)
    polls.cast_vote(uid, _option(uid, 1), people["adult"], channel="kiosk")
    with pytest.raises(ServiceError) as refused:
        polls.results(uid, public=True)
    assert refused.value.key == "poll.results_hidden"
    assert polls.results(uid, public=False).total == 1  # the office always sees them
    polls.close(uid, actor="siti")
    assert polls.results(uid, public=True).options[0].votes == 1


@pytest.mark.parametrize(("question", "description", "options", "starts", "ends", "key"), [
    ("<script>alert(1)</script> Posyandu?", "", OPTIONS, -1, 24, "poll.question_markup"),
    ("Posyandu' OR 1=1 --", "", OPTIONS, -1, 24, "poll.question_sql"),
    (QUESTION, '<img src=x onerror="alert(1)">', OPTIONS, -1, 24, "poll.description_markup"),
    (QUESTION, "x'; DROP TABLE poll; --", OPTIONS, -1, 24, "poll.description_sql"),
    (QUESTION, "", ["Ya", "<b>Tidak</b>"], -1, 24, "poll.option_markup"),
    (QUESTION, "", ["Ya", "1 UNION SELECT nik FROM penduduk"], -1, 24, "poll.option_sql"),
    (QUESTION, "", ["Ya", "  "], -1, 24, "poll.option_empty"),
    (QUESTION, "", ["Ya", "ya "], -1, 24, "poll.option_duplicate"),
    (QUESTION, "", ["Ya"], -1, 24, "poll.options_few"),
    (QUESTION, "", [f"Pilihan {n}" for n in range(11)], -1, 24, "poll.options_many"),
    (QUESTION, "", OPTIONS, 24, -1, "poll.end_before_start"),
    (QUESTION, "", OPTIONS, 5, 5, "poll.end_before_start"),
    ("Apa?", "", OPTIONS, -1, 24, "poll.question_length"),
    (QUESTION, "", ["Ya", "x" * 81], -1, 24, "poll.option_long"),
])
def test_bad_input_is_refused_and_changes_nothing(people, question, description, options, starts, ends, key):
    draft = polls.create_draft(QUESTION, "", OPTIONS, _local(timedelta(hours=1)), _local(timedelta(days=1)),
                               actor="siti")
    before = _snapshot()
    for attempt in (
        lambda: polls.create_draft(question, description, options, _local(timedelta(hours=starts)),
                                   _local(timedelta(hours=ends)), actor="siti"),
        lambda: polls.update_draft(draft, question, description, options, _local(timedelta(hours=starts)),
                                   _local(timedelta(hours=ends)), actor="siti"),
    ):
        with pytest.raises(ServiceError) as refused:
            attempt()
        assert refused.value.key == key
    assert _snapshot() == before


def test_plain_punctuation_and_bad_times(people):
    uid = polls.create_draft("Jalan < 5 m & licin: perlu diperbaiki?", "Biaya \"kira-kira\" 5 juta.",
                             ["Ya, segera", "Tidak (nanti saja)"], "2030-01-01 08:00", "2030-01-02T08:00",
                             actor="siti")
    info = polls.get(uid)
    assert info.question.startswith("Jalan < 5 m")
    assert info.starts_at == datetime(2030, 1, 1, 1, 0)  # 08:00 WIB is 01:00 UTC
    for starts, key in (("", "poll.start_missing"), ("besok pagi", "poll.time_invalid")):
        with pytest.raises(ServiceError) as refused:
            polls.create_draft(QUESTION, "", OPTIONS, starts, "2030-01-02T08:00", actor="siti")
        assert refused.value.key == key


def test_nothing_in_the_database_links_a_nik_to_an_option(people):
    """After three residents vote differently, no table and no column anywhere holds anything that ties one
    of them (id, uuid, NIK or a hash of it) to the option they chose; the audit log names neither."""
    uid = _open_poll()
    voters = {"adult": 1, "adult2": 2, "adult3": 3}
    for who, position in voters.items():
        polls.cast_vote(uid, _option(uid, position), people[who], channel="kiosk", client="10.0.0.5")
    labels = set(OPTIONS)
    with reading():
        tables = [r[0] for r in database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetchall()]
        persons = {who: Penduduk.get_by_id(people[who]) for who in voters}
        identities = {who: {str(p.id), p.uuid, p.nik} for who, p in persons.items()}
        for table in tables:
            columns = [c[1] for c in database.execute_sql(f'PRAGMA table_info("{table}")').fetchall()]
            for row in database.execute_sql(f'SELECT * FROM "{table}"').fetchall():
                cells = {str(v) for v in row if v is not None}
                if table != "poll_option":
                    # An option's words live in its own row only: no log, journal or list repeats them.
                    assert not (labels & cells), (table, dict(zip(columns, row)))
                else:
                    for ids in identities.values():
                        assert not ({i for i in ids if len(i) > 8} & cells), dict(zip(columns, row))
        # The voter list has no time and no rowid; the option rows hold only a counter.
        assert database.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'poll_voter'").fetchone()[0] \
            .rstrip().upper().endswith("WITHOUT ROWID")
        option_columns = {c[1] for c in database.execute_sql("PRAGMA table_info(poll_option)").fetchall()}
        assert option_columns == {"id", "poll_id", "position", "label", "votes"}
        # No table other than poll_option refers to an option at all.
        for table in tables:
            for foreign in database.execute_sql(f'PRAGMA foreign_key_list("{table}")').fetchall():
                assert foreign[2] != "poll_option", table
        votes = AuditLog.select().where(AuditLog.action == "poll.vote")
        assert votes.count() == 3
        for entry in votes:
            text = f"{entry.actor}|{entry.target}|{entry.detail}|{entry.client}"
            assert not any(label in text for label in labels)
            assert not any(ident in text for ids in identities.values() for ident in ids if len(ident) > 8)
            assert entry.target == uid and entry.detail == ""
    assert [o.votes for o in polls.results(uid, public=False).options] == [1, 1, 1]


def test_two_simultaneous_votes_of_one_nik_count_once(people):
    """The kiosk and a phone sending the same NIK's vote at the same moment: one is stored, one refused."""
    uid = _open_poll()
    options = [_option(uid, 1), _option(uid, 2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def vote(option_id: int) -> None:
        barrier.wait()
        try:
            polls.cast_vote(uid, option_id, people["adult"], channel="kiosk")
            outcomes.append("ok")
        except ServiceError as error:
            outcomes.append(error.key)
        finally:
            database.close()

    threads = [threading.Thread(target=vote, args=(option_id,)) for option_id in options]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["ok", "poll.already_voted"]
    assert polls.results(uid, public=False).total == 1
