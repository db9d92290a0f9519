"""NIK and code enumeration through every kiosk and phone endpoint that takes a NIK or a tracking code.

Where a NIK is read (grep of kiosk/pages for `resident_login` and `nik`):
  phone (plain HTML, tested here over HTTP against a real server):
    POST /m/surat                 phone_letters.login        NIK + PIN -> letter session
    POST /m/s/{code}/pdf          phone_letters.letter_pdf   NIK + PIN -> the signed PDF
    POST /m/complaint             phone_complaints           identitas=warga: NIK + PIN
    POST /m/polls/{uid}           phone_polls.poll_vote      NIK + PIN -> a vote
  kiosk (NiceGUI, tested with the simulated user; all three share letter_inputs.resident_login):
    /kiosk/surat (kiosk_letters), /kiosk/complaint (kiosk_complaints), /kiosk/polls (kiosk_polls)
  operator only: /api/v1/residents (search by NIK) needs an operator session or token.
Where a code or token is read: /m/s/{code}, /m/surat/terkirim/{code}, /m/complaint/{code},
/m/complaint/{code}/photo, /m/complaint/cek (a redirect to /m/complaint/{code}), /m/survey (typed ticket
number), /m/survey/{token}, /m/t/{public_id}.

For each NIK endpoint a known NIK with a wrong PIN and an unknown NIK get the same status, the same headers
that matter and byte-identical bodies (the NIK the visitor typed is echoed back in the form and is replaced
first); from one address the sixth failure is refused ("pin.locked", 429) for both alike. For each code
endpoint an unknown and a malformed code answer alike, and many lookups from one address hit a limit.
The kiosk flows are driven with NiceGUI's simulated user; the HTTP tests are marked slow (real server).
Each test speaks from its own made-up address (X-Forwarded-For, trusted from 127.0.0.1 by uvicorn) so the
per-address limits of one test do not leak into another.
"""

from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import httpx
import pytest
from nicegui.testing import User

from tests.attack.conftest import Office
from tests.pages.test_kiosk_letters import NIK as KIOSK_NIK, PIN as KIOSK_PIN, make_resident, tap
from tests.support.letter_answers import sample_answers
from tests.support.server import make_token


_addresses = itertools.count(10)
_strangers = itertools.count(900001)
_letter_code: list[str] = []
HEADERS_THAT_MATTER = ("content-type", "content-security-policy", "cache-control", "x-content-type-options",
                       "x-frame-options", "referrer-policy", "location")


def new_address() -> str:
    return f"10.66.{next(_addresses)}.7"


def stranger(known: str) -> str:
    """A fresh well-formed NIK nobody has: each test its own, so the per-NIK limit of one does not spill."""
    return f"{known[:10]}{next(_strangers):06d}"


def resident_letter(office: Office) -> str:
    """The tracking code of a letter about the demo resident, asked for once through the operator API."""
    if not _letter_code:
        token = make_token(office.data_dir, "attack-enumeration")
        auth = {"Authorization": f"Bearer {token}"}
        types = httpx.get(f"{office.url}/api/v1/letters/types", headers=auth, timeout=10).json()
        chosen = next(t for t in types if t["name"] == "Surat Keterangan Domisili")
        body = {"type": chosen["code"], "nik": office.resident_nik, "fields": sample_answers(chosen["fields"])}
        created = httpx.post(f"{office.url}/api/v1/letters", json=body, headers=auth, timeout=20)
        assert created.status_code == 201, created.text
        _letter_code.append(created.json()["tracking_code"].replace("-", ""))
    return _letter_code[0]


def same_answer(first: httpx.Response, second: httpx.Response, replace: dict[str, str]) -> None:
    """Status, the headers that matter, cookies set, and the body once the typed values are masked."""
    assert first.status_code == second.status_code
    for name in HEADERS_THAT_MATTER:
        assert first.headers.get(name) == second.headers.get(name), name
    assert ("set-cookie" in first.headers) == ("set-cookie" in second.headers)

    def masked(response: httpx.Response) -> str:
        text = response.text
        for value, mask in replace.items():
            text = text.replace(value, mask)
        return text

    assert masked(first) == masked(second)


def poll_uid(office: Office) -> tuple[str, str]:
    page = httpx.get(f"{office.url}/m/polls", timeout=10).text
    uid = re.search(r'href="/m/polls/([0-9a-f-]{8,})', page)
    assert uid, page[-1500:]
    form = httpx.get(f"{office.url}/m/polls/{uid.group(1)}", timeout=10).text
    option = re.search(r'name="option"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="option"', form)
    assert option, form[-1500:]
    return uid.group(1), option.group(1) or option.group(2)


def complaint_category(office: Office) -> str:
    page = httpx.get(f"{office.url}/m/complaint", timeout=10).text
    found = re.search(r'<option value="([^"]+)"', page)
    assert found, page[-1500:]
    return found.group(1)


FormFor = Callable[[Office, str, str], tuple[str, dict[str, str]]]


def surat(office: Office, nik: str, pin: str) -> tuple[str, dict[str, str]]:
    return "/m/surat", {"nik": nik, "pin": pin}


def letter_pdf(office: Office, nik: str, pin: str) -> tuple[str, dict[str, str]]:
    return f"/m/s/{resident_letter(office)}/pdf", {"nik": nik, "pin": pin}


def complaint(office: Office, nik: str, pin: str) -> tuple[str, dict[str, str]]:
    return "/m/complaint", {"kategori": complaint_category(office), "identitas": "warga", "nik": nik, "pin": pin,
                            "isi": "Saluran air di depan balai desa tersumbat sampah sejak hujan kemarin."}


def poll_vote(office: Office, nik: str, pin: str) -> tuple[str, dict[str, str]]:
    uid, option = poll_uid(office)
    return f"/m/polls/{uid}", {"nik": nik, "pin": pin, "option": option}


@pytest.mark.parametrize("form_for", [surat, letter_pdf, complaint, poll_vote], ids=lambda f: f.__name__)
def test_known_and_unknown_nik_answer_alike_and_lock_alike(office: Office, form_for: FormFor) -> None:
    unknown = stranger(office.resident_nik)
    wrong_pin = "135792" if office.resident_pin != "135792" else "246813"
    path, known_form = form_for(office, office.resident_nik, wrong_pin)
    _, unknown_form = form_for(office, unknown, wrong_pin)
    address = new_address()
    mask = {office.resident_nik: "<NIK>", unknown: "<NIK>"}

    def post(form: dict[str, str]) -> httpx.Response:
        return httpx.post(f"{office.url}{path}", data=form, headers={"X-Forwarded-For": address}, timeout=20)

    attempts_before = office.count("pin_attempt")
    first_known, first_unknown = post(known_form), post(unknown_form)
    assert first_known.status_code == 401, first_known.text[-800:]
    if not path.endswith("/pdf"):  # the status page shows the refusal only beside a download form
        assert "NIK atau PIN salah" in first_known.text
    same_answer(first_known, first_unknown, mask)
    with ThreadPoolExecutor(3) as pool:  # each refusal takes 0.8 s: send them side by side
        assert set(pool.map(lambda _: post(unknown_form).status_code, range(3))) == {401}
    assert office.count("pin_attempt") == attempts_before + 5  # every try was counted
    locked_known, locked_unknown = post(known_form), post(unknown_form)
    assert locked_known.status_code == 429, locked_known.text[-800:]
    if not path.endswith("/pdf"):
        assert "Terlalu banyak percobaan" in locked_known.text
    same_answer(locked_known, locked_unknown, mask)
    # Locked means locked: the right PIN from this address is refused too, and no session cookie is given.
    right = post(form_for(office, office.resident_nik, office.resident_pin)[1])
    assert right.status_code == 429 and "balai_surat" not in right.headers.get("set-cookie", "")


def test_another_address_is_not_locked_but_the_nik_limit_holds_everywhere(office: Office) -> None:
    """Spreading guesses over addresses: 5 per address, but at most 10 per NIK whatever the address."""
    wrong = "135792" if office.resident_pin != "135792" else "246813"
    target = stranger(office.resident_nik)

    def guess(address: str) -> int:
        return httpx.post(f"{office.url}/m/surat", data={"nik": target, "pin": wrong},
                          headers={"X-Forwarded-For": address}, timeout=30).status_code

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(guess, [new_address() for _ in range(10)]))
    assert answers == [401] * 10, answers
    assert guess(new_address()) == 429


@pytest.mark.parametrize("paths,limit", [(("/m/s/{code}", "/m/surat/terkirim/{code}"), 120),
                                         (("/m/complaint/{code}", "/m/complaint/{code}/photo"), 60),
                                         (("/m/survey/{code}",), 120), (("/m/t/{code}",), 120)],
                         ids=["letter-status", "complaint-status", "survey", "ticket"])
def test_unknown_and_malformed_codes_answer_alike_and_are_rate_limited(office: Office, paths: tuple[str, ...],
                                                                       limit: int) -> None:
    """Paths in one group share one per-address limit: spending it on the first closes the second too."""
    address = {"X-Forwarded-For": new_address()}
    for path in paths:
        unknown = httpx.get(office.url + path.format(code="K7M29QXD"), headers=address, timeout=10)
        malformed = httpx.get(office.url + path.format(code="zz%27%3Cb%3E"), headers=address, timeout=10)
        assert unknown.status_code == malformed.status_code and unknown.status_code in (404, 410), unknown.text[:300]
        assert "K7M29QXD" not in malformed.text
    first = paths[0]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda n: httpx.get(office.url + first.format(code=f"K7M2{n:04d}"), headers=address,
                                                     timeout=30).status_code, range(limit)))
    assert 429 in statuses
    for path in paths:
        assert httpx.get(office.url + path.format(code="K7M2QQQQ"), headers=address, timeout=10).status_code == 429


def test_typed_survey_numbers_are_rate_limited(office: Office) -> None:
    address = {"X-Forwarded-For": new_address()}
    statuses = [httpx.post(f"{office.url}/m/survey", data={"kode": f"A{n:03d}"}, headers=address,
                           timeout=10).status_code for n in range(21)]
    assert statuses[0] in (404, 422) and statuses[-1] == 429, statuses


def test_complaint_code_check_redirects_without_looking_up(office: Office) -> None:
    """/m/complaint/cek only normalises and redirects: the limited page behind it does the lookup."""
    address = {"X-Forwarded-For": new_address()}
    first = httpx.get(f"{office.url}/m/complaint/cek?kode=K7M2-9QXD", headers=address, timeout=10)
    assert first.status_code == 303 and first.headers["location"].startswith("/m/complaint/")


def test_the_residents_api_refuses_without_an_operator(office: Office) -> None:
    for headers in ({}, {"Authorization": "Bearer balai_not-a-token"}, {"Cookie": "session=forged"}):
        response = httpx.get(f"{office.url}/api/v1/residents", params={"q": office.resident_nik}, headers=headers,
                             timeout=10)
        assert response.status_code == 401, response.text
        assert office.resident_nik not in response.text


async def _to_kiosk_nik(user: User, flow: str) -> None:
    """Open one kiosk flow and walk it to its NIK screen."""
    if flow == "letters":
        await user.open("/kiosk/surat")
    elif flow == "complaints":
        await user.open("/kiosk/complaint")
        user.find(marker="adu-new").click()
        await user.should_see(marker="adu-category-bansos", retries=30)
        user.find(marker="adu-category-bansos").click()
        await user.should_see(marker="adu-who-warga", retries=30)
        user.find(marker="adu-who-warga").click()
    else:
        await user.open("/kiosk/polls")
        await user.should_see(marker="poll-vote", retries=30)
        user.find(marker="poll-vote").click()
        await user.should_see(marker="poll-option-2", retries=30)
        user.find(marker="poll-option-2").click()
    await user.should_see(marker="nik-input", retries=30)


async def _kiosk_refusal(user: User, flow: str, nik: str, pin: str) -> str:
    await _to_kiosk_nik(user, flow)
    tap(user, nik)
    user.find(marker="step-next").click()
    await user.should_see(marker="pin-input", retries=30)
    tap(user, pin)
    user.find(marker="step-next").click()
    await user.should_see("NIK atau PIN salah.", retries=80)
    assert user.find(marker="pin-input").elements.pop().value == ""
    return "\n".join(sorted(str(getattr(e, "text", "")) for e in user.find(marker="step-message").elements))


@pytest.mark.parametrize("flow", ["letters", "complaints", "polls"])
async def test_the_kiosk_flows_answer_a_wrong_pin_and_an_unknown_nik_alike(page_office: User, flow: str) -> None:
    make_resident()
    wrong_pin = await _kiosk_refusal(page_office, flow, KIOSK_NIK, "135792")
    unknown = await _kiosk_refusal(page_office, flow, "3204129999990009", KIOSK_PIN)
    assert wrong_pin == unknown
