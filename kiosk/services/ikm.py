"""The satisfaction survey (IKM, PermenPANRB 14/2017): who may answer, and storing an answer.

A finished ticket ("done") or a picked-up letter ("diambil") earns one invite: a random token that the phone
pages link to (`/m/survey/<token>`) and the kiosk looks up from a ticket number of today or a tracking code.
A response is anonymous — it keeps the rated service and the day, never the invite, ticket or letter — and
the invite's `answered` flag, flipped in the same transaction that stores the response, makes it at most one
response per ticket or letter even when two phones submit at once. Unknown, malformed and foreign tokens all
get the same answer, so the survey page tells a stranger nothing about which tokens exist.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from kiosk.db import database, reading
from kiosk.models import IkmInvite, IkmResponse, LetterRequest, LetterType, Service, Ticket, Village
from kiosk.services import audit
from kiosk.services.clock import local_day, utc_now
from kiosk.services.clock_guard import trusted_now
from kiosk.services.errors import NotFound, ServiceError
from kiosk.services.ikm_index import ELEMENTS
from kiosk.services.letter_requests import normalize_code

CHANNELS = ("kiosk", "phone", "demo")
# The optional respondent profile the IKM report tabulates; '' is "not said". Few and coarse on purpose.
PROFILE_OPTIONS: dict[str, tuple[str, ...]] = {
    "jenis_kelamin": ("L", "P"),
    "umur": ("u17_25", "u26_35", "u36_45", "u46_55", "u56"),
    "pendidikan": ("sd", "smp", "sma", "diploma", "s1", "s2"),
    "pekerjaan": ("pns", "tni_polri", "swasta", "wirausaha", "petani", "pelajar", "lainnya"),
}
SARAN_MAX = 500
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_TICKET_NUMBER = re.compile(r"^([A-Z])-?0*(\d{1,4})$")
_TICKET_UUID = re.compile(r"/m/t/([0-9a-f]{32})")
_LETTER_LINK = re.compile(r"/m/s/([A-Za-z0-9-]{8,12})")
_SURVEY_LINK = re.compile(r"/m/survey/([A-Za-z0-9_-]{20,64})")


@dataclass(frozen=True)
class SurveySubject:
    """What a survey rates, as the respondent sees it: no name, no NIK."""

    token: str
    kind: str            # "queue" or "letter"
    reference: str       # the ticket number, or the letter's tracking code
    service_name: str
    answered: bool


def _village() -> Village:
    village = Village.get_or_none(Village.id == 1)
    if village is None:
        raise ServiceError("error.not_set_up", status=503)
    return village


def _today(village: Village) -> str:
    return local_day(trusted_now(utc_now()), village.timezone).isoformat()


def _new_token() -> str:
    return secrets.token_urlsafe(18)  # 144 random bits, 24 URL-safe characters


def _invite(*, ticket: Ticket | None = None, letter: LetterRequest | None = None) -> IkmInvite:
    """The ticket's or letter's invite, created on first need (inside the caller's transaction)."""
    if ticket is not None:
        found = IkmInvite.get_or_none(IkmInvite.ticket == ticket)
    else:
        found = IkmInvite.get_or_none(IkmInvite.letter_request == letter)
    if found is not None:
        return found
    return IkmInvite.create(token=_new_token(), ticket=ticket, letter_request=letter, created_at=utc_now())


def _subject(invite: IkmInvite) -> SurveySubject:
    if invite.ticket_id is not None:
        ticket = Ticket.get_by_id(invite.ticket_id)
        return SurveySubject(invite.token, "queue", ticket.number, Service.get_by_id(ticket.service_id).name,
                             bool(invite.answered))
    letter = LetterRequest.get_by_id(invite.letter_request_id)
    code = letter.tracking_code
    return SurveySubject(invite.token, "letter", f"{code[:4]}-{code[4:]}",
                         LetterType.get_by_id(letter.letter_type_id).name, bool(invite.answered))


def _eligible_ticket(ticket: Ticket) -> None:
    if ticket.status != "done":
        raise ServiceError("ikm.not_done", status=409)


def _eligible_letter(letter: LetterRequest) -> None:
    if letter.status != "diambil":
        raise ServiceError("ikm.letter_not_taken", status=409)


# ---- offers on the phone pages -----------------------------------------------------------------------------

def _offer(find: Callable[[], Any], done: str, field: str) -> SurveySubject | None:
    """The invite for a ticket or letter that reached `done`, until answered. The page is reloaded often: the
    write lock is taken only to create the invite, once."""
    link = IkmInvite.ticket if field == "ticket" else IkmInvite.letter_request
    with reading():
        subject = find()
        if subject is None or subject.status != done:
            return None
        found = IkmInvite.get_or_none(link == subject)
        if found is not None:
            answer = _subject(found)
            return None if answer.answered else answer
    with database.atomic():
        subject = find()
        if subject is None or subject.status != done:
            return None
        answer = _subject(_invite(**{field: subject}))
    return None if answer.answered else answer


def offer_for_ticket(public_id: str) -> SurveySubject | None:
    """The invite the phone ticket page links to: only once the ticket is done, and only until answered."""
    return _offer(lambda: Ticket.get_or_none(Ticket.uuid == str(public_id)), "done", "ticket")


def offer_for_letter(code: str) -> SurveySubject | None:
    """The invite a letter's tracking page links to: only once the letter was picked up, until answered."""
    return _offer(lambda: LetterRequest.get_or_none(LetterRequest.tracking_code == normalize_code(code)),
                  "diambil", "letter")
    with database.atomic():
        letter = LetterRequest.get_or_none(LetterRequest.tracking_code == normalize_code(code))
        if letter is None or letter.status != "diambil":
            return None
        subject = _subject(_invite(letter=letter))
    return None if subject.answered else subject


# ---- the kiosk: a ticket number of today, a tracking code, or a scanned link --------------------------------

def kiosk_subject(text: str) -> SurveySubject:
    """What the resident typed or scanned at the kiosk, as a survey to answer. Refuses (with a reason the
    resident can act on) a ticket not yet done, a letter not yet picked up, and a second answer."""
    raw = str(text or "").strip()[:300]
    ticket_uuid, letter_code, token = _TICKET_UUID.search(raw), _LETTER_LINK.search(raw), _SURVEY_LINK.search(raw)
    if token:
        subject = subject_for_token(token.group(1))
        if subject.answered:
            raise ServiceError("ikm.already", status=409)
        return subject
    clean = re.sub(r"\s+", "", raw.upper())
    number = _TICKET_NUMBER.match(clean)
    code = normalize_code(letter_code.group(1)) if letter_code else normalize_code(clean)
    if not (ticket_uuid or number or len(code) == 8):
        raise ServiceError("ikm.entry_invalid")
    with database.atomic():
        if ticket_uuid:
            ticket = Ticket.get_or_none(Ticket.uuid == ticket_uuid.group(1))
            if ticket is None:
                raise NotFound("ikm.ticket_unknown", number="")
            letter = None
        elif number:
            shown = f"{number.group(1)}-{int(number.group(2)):03d}"
            ticket = Ticket.get_or_none((Ticket.number == shown) & (Ticket.day == _today(_village())))
            if ticket is None:
                raise NotFound("ikm.ticket_unknown", number=shown)
            letter = None
        else:
            ticket = None
            letter = LetterRequest.get_or_none(LetterRequest.tracking_code == code)
            if letter is None:
                raise NotFound("letter.code_unknown")
        if ticket is not None:
            _eligible_ticket(ticket)
            subject = _subject(_invite(ticket=ticket))
        else:
            _eligible_letter(letter)
            subject = _subject(_invite(letter=letter))
    if subject.answered:
        raise ServiceError("ikm.already", status=409)
    return subject


def subject_for_token(token: str) -> SurveySubject:
    """The survey a link opens. Every token that does not name an invite — malformed, unknown, guessed —
    gets the same NotFound, so the answer carries no information."""
    clean = str(token or "")
    if not _TOKEN.match(clean):
        raise NotFound("ikm.link_invalid")
    with reading():
        invite = IkmInvite.get_or_none(IkmInvite.token == clean)
        if invite is None:
            raise NotFound("ikm.link_invalid")
        return _subject(invite)


# ---- answering -----------------------------------------------------------------------------------------------

def clean_scores(scores: Sequence[object]) -> tuple[int, ...]:
    """Nine scores 1..4 (ints or the digit strings a form sends); names how many are still missing."""
    values = list(scores)[:ELEMENTS] + [None] * max(0, ELEMENTS - len(list(scores)))
    missing = sum(1 for value in values if value in (None, ""))
    if missing:
        raise ServiceError("ikm.score_missing", missing=missing)
    cleaned: list[int] = []
    for value in values:
        text = str(value).strip()
        if text not in ("1", "2", "3", "4"):
            raise ServiceError("ikm.score_invalid")
        cleaned.append(int(text))
    return tuple(cleaned)


def clean_profile(profile: Mapping[str, object]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for name, options in PROFILE_OPTIONS.items():
        value = str(profile.get(name) or "").strip()
        if value and value not in options:
            raise ServiceError("ikm.profile_invalid", field=name)
        cleaned[name] = value
    unknown = [name for name in profile if name not in PROFILE_OPTIONS]
    if unknown:
        raise ServiceError("ikm.profile_invalid", field=unknown[0])
    return cleaned


def clean_saran(text: str) -> str:
    """A suggestion as plain text: spaces collapsed, no control characters, at most SARAN_MAX characters.
    Markup is not refused — it is stored as typed and always shown escaped."""
    clean = " ".join(str(text or "").split())
    if len(clean) > SARAN_MAX:
        raise ServiceError("ikm.saran_too_long", max=SARAN_MAX)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in clean):
        raise ServiceError("ikm.saran_control")
    return clean


def submit(token: str, scores: Sequence[object], *, profile: Mapping[str, object] | None = None, saran: str = "",
           channel: str, client: str = "") -> SurveySubject:
    """Store one anonymous response for the invite `token`, in one transaction with the invite's flag and
    the audit entry. Everything is checked first: a refused answer changes nothing."""
    if channel not in CHANNELS:
        raise ValueError(channel)
    values = clean_scores(scores)
    facts = clean_profile(profile or {})
    suggestion = clean_saran(saran)
    subject = subject_for_token(token)
    with database.atomic():
        invite = IkmInvite.get(IkmInvite.token == subject.token)
        if invite.ticket_id is not None:
            ticket = Ticket.get_by_id(invite.ticket_id)
            _eligible_ticket(ticket)
            service = Service.get_by_id(ticket.service_id)
            kind, key, name = "queue", service.uuid, service.name
        else:
            letter = LetterRequest.get_by_id(invite.letter_request_id)
            _eligible_letter(letter)
            letter_type = LetterType.get_by_id(letter.letter_type_id)
            kind, key, name = "letter", letter_type.code, letter_type.name
        taken = (IkmInvite.update(answered=1)
                 .where((IkmInvite.id == invite.id) & (IkmInvite.answered == 0)).execute())
        if taken != 1:
            raise ServiceError("ikm.already", status=409)
        IkmResponse.create(uuid=str(uuid.uuid4()), service_kind=kind, service_key=key, service_name=name,
                           channel=channel, day=_today(_village()), saran=suggestion, **facts,
                           **{f"u{n + 1}": value for n, value in enumerate(values)})
        audit.record(channel, "ikm.answer", f"{kind}:{key}", "", client)
    return SurveySubject(subject.token, subject.kind, subject.reference, subject.service_name, True)
