"""Signing a letter: number, content, seal and PDF made in one transaction, then never changed.

The number is taken, the PDF rendered and written, and the row updated while the write lock is held, so a
failure anywhere (a broken template, a full disk) rolls the number back: no gaps, no number without a
letter. A trigger in the schema refuses any later change to a signed letter's content; revoking is the only
thing that can still happen to it, and it is recorded, not hidden.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.db import database, reading
from kiosk.models import LetterRequest, Penduduk, User, Village
from kiosk.private_file import write_private
from kiosk.seal import SealFacts, content_hash, load_or_create_private_key, make_seal, mask_name, public_key_text
from kiosk.services import audit
from kiosk.services.clock import local_day, utc_now
from kiosk.services.clock_guard import trusted_now
from kiosk.services.accounts import ROLE_RANK
from kiosk.services.errors import Forbidden, NotFound, ServiceError
from kiosk.services.letter_numbers import NumberParts, format_number, next_in_series, series_name, village_number_code
from kiosk.services.letter_render import (LetterLayout, document, letter_body, pdf, resident_facts, signer_of,
                                          village_facts)
from kiosk.services.letter_templates import TemplateProblem
from kiosk.services.letter_types import get_type_by_id


@dataclass(frozen=True)
class LetterOptions:
    """Everything signing needs from the office's settings, passed in (never read from a global)."""

    number_format: str
    series_mode: str
    layout: LetterLayout
    base_url: str
    letters_dir: Path
    key: Ed25519PrivateKey


def options_from_settings(settings: object, base_url: str) -> LetterOptions:
    """Build from `kiosk.settings.Settings`; makes the village key pair the first time."""
    key = load_or_create_private_key(settings.signing_key_file)  # type: ignore[attr-defined]
    return LetterOptions(
        number_format=settings.letter_number_format, series_mode=settings.letter_number_series,  # type: ignore[attr-defined]
        layout=LetterLayout(settings.letter_paper, settings.letter_margins,  # type: ignore[attr-defined]
                            settings.data_dir / "logo.png"),  # type: ignore[attr-defined]
        base_url=base_url, letters_dir=settings.letters_dir, key=key)  # type: ignore[attr-defined]


def publish_public_key(key: Ed25519PrivateKey) -> str:
    """Record the village public key in the database (the sync journal sends it to the district)."""
    text = public_key_text(key)
    with database.atomic():
        Village.update(public_key=text).where((Village.id == 1) & (Village.public_key != text)).execute()
    return text


@dataclass(frozen=True)
class SignedLetter:
    id: int
    number: str
    qr: str
    pdf_sha256: str
    letter_date: date


def _write_pdf(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    target = folder / name
    write_private(target, data)
    return target


def require_signer(username: str, role: str | None) -> None:
    """Signing and revoking are the signer's (or admin's), whatever surface asks. `role` is the caller's
    role when the surface knows it (an API token has no account row); otherwise the account decides."""
    if role is None:
        with reading():
            user = User.get_or_none((User.username == username) & (User.active == True))  # noqa: E712
        role = user.role if user is not None else None
    if role not in ROLE_RANK or ROLE_RANK[role] < ROLE_RANK["signer"]:
        raise Forbidden()


def _signing_account(username: str) -> User | None:
    """The account whose name goes under the letter; a machine token signs in the name of the office's
    first active signer (the kepala desa), never with an empty signature block."""
    user = User.get_or_none(User.username == username)
    if user is not None:
        return user
    return (User.select().where((User.role == "signer") & (User.active == True))  # noqa: E712
            .order_by(User.id).first())


def sign(request_id: int, *, signer: str, options: LetterOptions, client: str = "",
         role: str | None = None) -> SignedLetter:
    """The signer approves a request waiting for signature; returns its number and QR text."""
    require_signer(signer, role)
    written: Path | None = None
    try:
        with database.atomic():
            row = LetterRequest.get_or_none(LetterRequest.id == request_id)
            if row is None:
                raise NotFound()
            if row.status != "menunggu_ttd":
                raise ServiceError("letter.not_waiting", status=409)
            village = Village.get(Village.id == 1)
            who = signer_of(_signing_account(signer), village)
            letter_type = get_type_by_id(row.letter_type_id)
            person = Penduduk.get(Penduduk.id == row.penduduk_id)
            today = local_day(trusted_now(utc_now()), village.timezone)  # a clock gone back must not date letters back
            series = series_name(options.series_mode, letter_type.code)
            sequence = next_in_series(series, today.year)
            number = format_number(options.number_format, NumberParts(
                letter_type.klasifikasi, sequence, village_number_code(village.code), today.month, today.year,
                letter_type.code))
            fields = json.loads(row.fields)
            try:
                body = letter_body(letter_type, resident_facts(person, today), fields,
                                   village_facts(village, who.name), number, today)
            except TemplateProblem as error:
                raise ServiceError("letter_type.template_error", detail=str(error)) from error
            content = {"village_code": village.code, "village": village.name, "number": number,
                       "type": letter_type.code, "type_name": letter_type.name, "date": today.isoformat(),
                       "nik": person.nik, "nama": person.nama, "fields": fields, "body": str(body),
                       "signer": who.name, "signer_title": who.title}
            digest = content_hash(content)
            qr = make_seal(SealFacts(village.code, number, letter_type.code, today, mask_name(person.nama), digest),
                           options.key, options.base_url)
            data = pdf(document(letter_type, body, village, who, number, today, options.layout, qr))
            relative = f"{today.year}/{uuid.uuid4().hex}.pdf"
            written = _write_pdf(options.letters_dir / str(today.year), relative.split("/")[1], data)
            pdf_sha = hashlib.sha256(data).hexdigest()
            now = utc_now()
            LetterRequest.update(
                status="siap", status_note="", number=number, number_series=series, number_year=today.year,
                number_seq=sequence, letter_date=today.isoformat(), signed_at=now, signed_by=signer,
                signer_name=who.name, signer_title=who.title, content=json.dumps(content, ensure_ascii=False),
                content_hash=digest, pdf_path=relative, pdf_sha256=pdf_sha, qr_text=qr, updated_at=now,
            ).where(LetterRequest.id == request_id).execute()
            audit.record(signer, "letter.sign", row.uuid, number, client)
            return SignedLetter(request_id, number, qr, pdf_sha, today)
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)
        raise


def draft_pdf(request_id: int, *, options: LetterOptions) -> bytes:
    """What the letter will say, marked DRAF, with no number and no QR: for checking before signing."""
    with reading():
        row = LetterRequest.get_or_none(LetterRequest.id == request_id)
        if row is None:
            raise NotFound()
        village = Village.get(Village.id == 1)
        letter_type = get_type_by_id(row.letter_type_id)
        person = Penduduk.get(Penduduk.id == row.penduduk_id)
        who = signer_of(None, village)
        today = local_day(utc_now(), village.timezone)
        fields = json.loads(row.fields)
    try:
        body = letter_body(letter_type, resident_facts(person, today), fields, village_facts(village), "…", today)
    except TemplateProblem as error:
        raise ServiceError("letter_type.template_error", detail=str(error)) from error
    return pdf(document(letter_type, body, village, who, None, today, options.layout, None))


def signed_pdf(request_id: int, *, options: LetterOptions) -> bytes:
    """The stored signed PDF, checked against its recorded hash (a damaged file is reported, not served)."""
    with reading():
        row = LetterRequest.get_or_none(LetterRequest.id == request_id)
        if row is None or not row.pdf_path:
            raise NotFound("letter.not_signed")
        path, expected = options.letters_dir / row.pdf_path, row.pdf_sha256
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ServiceError("letter.pdf_missing", status=500) from error
    if hashlib.sha256(data).hexdigest() != expected:
        raise ServiceError("letter.pdf_damaged", status=500)
    return data


def resident_copy(request_id: int, person_id: int, *, options: LetterOptions, channel: str,
                  client: str = "") -> bytes:
    """A resident's own signed letter (after NIK + PIN on a phone): only theirs, never a revoked one, and
    every download is in the audit log like an operator's."""
    with reading():
        row = LetterRequest.get_or_none((LetterRequest.id == request_id) & (LetterRequest.penduduk == person_id))
    if row is None:
        raise NotFound()
    if row.revoked_at is not None:
        raise ServiceError("letter.revoked", status=409)
    data = signed_pdf(request_id, options=options)
    with database.atomic():
        audit.record(f"warga:{channel}", "letter.download", row.uuid, row.number or "", client)
    return data


def revoke(request_id: int, reason: str, *, actor: str, client: str = "", role: str | None = None) -> None:
    """Withdraw a signed letter (wrong person, fraud): verification answers TIDAK SAH from now on."""
    require_signer(actor, role)
    reason = " ".join(reason.split())[:300]
    if not reason:
        raise ServiceError("letter.note_required")
    with database.atomic():
        row = LetterRequest.get_or_none(LetterRequest.id == request_id)
        if row is None:
            raise NotFound()
        if row.signed_at is None:
            raise ServiceError("letter.not_signed", status=409)
        if row.revoked_at is not None:
            raise ServiceError("letter.already_revoked", status=409)
        LetterRequest.update(revoked_at=utc_now(), revoked_by=actor, revoke_reason=reason, updated_at=utc_now()) \
            .where(LetterRequest.id == request_id).execute()
        audit.record(actor, "letter.revoke", row.uuid, reason, client)
