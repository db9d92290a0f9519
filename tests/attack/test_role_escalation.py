"""Role escalation: viewer to operator, operator to admin, a disabled account, a low-role API token.

Every `/operator...` route is taken from the running app's route table, so a new page or download that is
missing from ROUTES fails the first test until someone decides who may open it. Then the state-changing
actions are called on the services the way a page or the API would, with a lower role: the service itself
must refuse and the database must not change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nicegui import app
from nicegui.testing import User

from kiosk.models import AuditLog, Penduduk, Service, Ticket, User as AccountRow, Village
from kiosk.services import accounts, backup, letter_signing, queue, resident_edit, update_requests, village
from kiosk.services.errors import Forbidden
from kiosk.settings import Settings
from tests.pages.conftest import office
from tests.pages.test_operator_pages import login

PAGE_FIXTURES = (office,)  # the demo office of tests/pages, used by name below
PASSWORD = "rahasia-desa-2026"
PEOPLE = {"viewer": "tamu", "operator": "petugas", "signer": "kades", "admin": "sekdes"}
RANK = ["viewer", "operator", "signer", "admin"]

# Every operator route and the lowest role that may open it ("any": every signed-in account). Downloads
# ("file") answer 403 to a lower role; pages show the forbidden notice instead of their content.
ROUTES: dict[str, tuple[str, str]] = {
    "/operator": ("page", "viewer"),
    "/operator/forbidden": ("page", "any"),
    "/operator/password": ("page", "any"),
    "/operator/statistics": ("page", "viewer"),
    "/operator/registers": ("page", "operator"),  # a viewer gets the frame and the notice
    "/operator/residents": ("page", "operator"),  # viewers see statistics only
    "/operator/residents/{person_id}": ("page", "operator"),
    "/operator/families/{family_id}": ("page", "operator"),
    "/operator/residents/new": ("page", "operator"),
    "/operator/residents/{person_id}/edit": ("page", "operator"),
    "/operator/residents/import": ("page", "operator"),
    "/operator/announcements": ("page", "operator"),
    "/operator/budget": ("page", "operator"),
    "/operator/complaints": ("page", "operator"),
    "/operator/complaints/{complaint_id}": ("page", "operator"),
    "/operator/letters": ("page", "operator"),
    "/operator/letters/new": ("page", "operator"),
    "/operator/letters/{request_id}": ("page", "operator"),
    "/operator/polls": ("page", "operator"),
    "/operator/survey": ("page", "operator"),
    "/operator/sync": ("page", "operator"),
    "/operator/letters/types": ("page", "admin"),
    "/operator/letters/types/{code}": ("page", "admin"),
    "/operator/services": ("page", "admin"),
    "/operator/users": ("page", "admin"),
    "/operator/audit": ("page", "admin"),
    "/operator/backup": ("page", "admin"),
    "/operator/update": ("page", "admin"),
    "/operator/village": ("page", "admin"),
    "/operator/complaints/{complaint_id}/photo": ("file", "operator"),
    "/operator/letters/{request_id}/draft.pdf": ("file", "operator"),
    "/operator/letters/{request_id}/letter.pdf": ("file", "operator"),
    "/operator/letters/attachments/{attachment_id}": ("file", "operator"),
    "/operator/village/logo.png": ("file", "operator"),
    "/operator/letters/types/preview/{token}.pdf": ("file", "admin"),
}


def _concrete(path: str, person: int) -> str:
    """A real address for a route pattern (ids of things that exist where it matters)."""
    return (path.replace("{person_id}", str(person)).replace("{family_id}", "1").replace("{complaint_id}", "1")
            .replace("{request_id}", "1").replace("{attachment_id}", "1").replace("{code}", "SKD")
            .replace("{token}", "x"))


def _may(role: str, needed: str) -> bool:
    return needed == "any" or RANK.index(role) >= RANK.index(needed)


def _make_accounts() -> None:
    for role, name in PEOPLE.items():
        accounts.create_user(name, PASSWORD, role, actor="test")
        AccountRow.update(must_change_password=False).where(AccountRow.username == name).execute()


def _person() -> int:
    from datetime import date

    person, _ = resident_edit.create_person(
        resident_edit.PersonInput(nik="3204124107900001", nama="Siti Aminah", sex=2, tanggallahir=date(1990, 7, 1)),
        family_id=None, first_event="datang", event_date=date(2026, 1, 5), actor="test")
    return person


async def test_every_operator_route_shows_only_what_the_role_may_see(office: User) -> None:
    served = {route.path for route in app.routes if getattr(route, "path", "").startswith("/operator")}
    assert served == set(ROUTES), f"routes without a rule here: {sorted(served ^ set(ROUTES))}"
    _make_accounts()
    person = _person()
    for role in ("viewer", "operator", "admin"):
        await login(office, PEOPLE[role], PASSWORD)
        await office.should_see(marker="logout", retries=30)
        for path, (kind, needed) in ROUTES.items():
            target = _concrete(path, person)
            if kind == "file":
                answer = await office.http_client.get(target)
                if _may(role, needed):
                    assert answer.status_code != 403, (role, target)
                else:
                    assert answer.status_code == 403 and b"%PDF" not in answer.content, (role, target)
                continue
            await office.open(target)
            if path == "/operator/forbidden":
                await office.should_see(marker="forbidden")
            elif _may(role, needed):
                await office.should_not_see(marker="forbidden")
                await office.should_not_see(marker="login")
            else:
                await office.should_see(marker="forbidden", retries=30)
                await office.should_not_see("Siti Aminah")  # the one resident never shows behind a refusal
        await office.open("/logout")


async def test_a_disabled_accounts_open_page_stops_acting(office: User) -> None:
    _make_accounts()
    queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False)
    await login(office, PEOPLE["operator"], PASSWORD)
    await office.should_see("Daftar tunggu (1)", retries=30)
    accounts.set_user_active(PEOPLE["operator"], False, actor=PEOPLE["admin"])
    office.find(marker="call-next").click()
    await office.should_see(marker="login", retries=30)
    assert Ticket.get().status == "waiting"
    await office.open("/operator")
    await office.should_see(marker="login", retries=30)
    await office.should_not_see("Daftar tunggu (1)")


async def test_api_tokens_of_a_lower_role_cannot_act_above_it(office: User) -> None:
    queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False)
    viewer = accounts.create_token("papan", "viewer", actor="test")
    operator = accounts.create_token("loket", "operator", actor="test")
    http = office.http_client
    called = await http.post("/api/v1/queue/counters/1/call-next", headers={"Authorization": f"Bearer {viewer}"})
    assert called.status_code == 403
    listed = await http.get("/api/v1/residents", headers={"Authorization": f"Bearer {viewer}"})
    assert listed.status_code == 403
    signed = await http.post("/api/v1/letters/1/sign", headers={"Authorization": f"Bearer {operator}"})
    assert signed.status_code == 403
    assert Ticket.get().status == "waiting"
    accounts.revoke_token("loket", actor="test")
    revoked = await http.post("/api/v1/queue/counters/1/call-next", headers={"Authorization": f"Bearer {operator}"})
    assert revoked.status_code == 401 and Ticket.get().status == "waiting"
    # The service refuses the token's name too, whatever surface passes it on.
    with pytest.raises(Forbidden):
        queue.call_next(1, actor="token:loket")
    with pytest.raises(Forbidden):
        queue.call_next(1, actor="token:papan")
    assert Ticket.get().status == "waiting"


def _snapshot() -> dict[str, list[tuple]]:
    """The rows a refused action could have touched."""
    return {model.__name__: sorted(model.select().tuples()) for model in
            (AuditLog, Penduduk, Service, Ticket, AccountRow, Village)}


def test_services_refuse_a_lower_role_whatever_the_page_shows(demo_db: Settings, tmp_path: Path) -> None:
    _make_accounts()
    queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False)
    person = _person()
    before = _snapshot()
    viewer, operator = PEOPLE["viewer"], PEOPLE["operator"]
    edited = resident_edit.editable(person, actor="test")
    info = village.get_village()
    refused = [
        lambda: queue.call_next(1, actor=viewer),
        lambda: queue.create_service("Z", "Layanan Palsu", actor=operator),
        lambda: queue.update_service(1, name="Diganti", active=False, actor=operator),
        lambda: resident_edit.update_person(person, edited, actor=viewer),
        lambda: letter_signing.sign(1, signer=operator, options=None),  # type: ignore[arg-type]
        lambda: village.update_village(info, actor=operator),
        lambda: village.save_settings(info, village.area_labels(), actor=operator),
        lambda: update_requests.request_update(demo_db, tmp_path / "balai-9.9.9.tar", actor=operator),
        lambda: backup.nightly(demo_db, actor=operator),
    ]
    for action in refused:
        with pytest.raises(Forbidden):
            action()
    assert _snapshot() == before
    # A disabled account keeps nothing of its role.
    accounts.set_user_active(operator, False, actor=PEOPLE["admin"])
    before = _snapshot()
    with pytest.raises(Forbidden):
        queue.call_next(1, actor=operator)
    assert _snapshot() == before
    # The roles that may act still can.
    assert queue.call_next(1, actor=PEOPLE["admin"]) is not None


def test_an_operator_cannot_create_an_admin_through_the_service(demo_db: Settings) -> None:
    _make_accounts()
    with pytest.raises(Forbidden):
        accounts.create_user("penyusup", PASSWORD, "admin", actor=PEOPLE["operator"])
    assert not AccountRow.select().where(AccountRow.username == "penyusup").exists()


def test_below_admin_nobody_changes_accounts_or_tokens_but_everyone_their_own_password(demo_db: Settings) -> None:
    _make_accounts()
    admin_hash = AccountRow.get(AccountRow.username == PEOPLE["admin"]).password_hash
    for role in ("viewer", "operator", "signer"):
        actor = PEOPLE[role]
        with pytest.raises(Forbidden):
            accounts.set_password(PEOPLE["admin"], "diambil-alih-2026", actor=actor)
        with pytest.raises(Forbidden):
            accounts.set_user_active(PEOPLE["admin"], False, actor=actor)
        with pytest.raises(Forbidden):
            accounts.set_title(actor, "Kepala Desa", actor=actor)
        with pytest.raises(Forbidden):
            accounts.create_token(f"mesin-{role}", "admin", actor=actor)
        accounts.set_password(actor, "sandi-baru-saya-2026", actor=actor)  # one's own: allowed
    admin = AccountRow.get(AccountRow.username == PEOPLE["admin"])
    assert admin.active and admin.password_hash == admin_hash
    accounts.create_token("mesin-admin", "operator", actor=PEOPLE["admin"])
    with pytest.raises(Forbidden):
        accounts.revoke_token("mesin-admin", actor=PEOPLE["operator"])
    accounts.revoke_token("mesin-admin", actor=PEOPLE["admin"])
