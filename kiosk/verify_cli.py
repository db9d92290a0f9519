"""`balai verify` and `balai key export`: checking a letter's seal with no server and no network.

Given the village's public key file (from `balai key export`, or the district), a laptop checks a QR text or
a letter PDF completely offline. On the office machine itself the local key is used when no `--key` is given.
Whether a letter was later revoked is known only to the office and the district: the answer says so.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.i18n import translate
from kiosk.seal import (SealReading, digits, key_file_json, load_or_create_private_key, public_key_text,
                        read_key_file, read_seal)
from kiosk.services.clock import format_date
from kiosk.settings import Settings


def _local_keys(settings: Settings) -> dict[str, Ed25519PublicKey]:
    """The office machine's own key, when this runs there (read-only: never creates a key or a database)."""
    if not settings.signing_key_file.exists() or not settings.database_path.exists():
        return {}
    connection = sqlite3.connect(f"file:{settings.database_path}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT code FROM village WHERE id = 1").fetchone()
    except sqlite3.Error:
        row = None
    finally:
        connection.close()
    if row is None:
        return {}
    return {digits(row[0]): load_or_create_private_key(settings.signing_key_file).public_key()}


def _texts(target: str) -> list[str]:
    path = Path(target)
    if path.is_file():
        from printing.pdf_qr import qr_texts_in_pdf

        return qr_texts_in_pdf(path.read_bytes())
    return [target]


def _describe(reading: SealReading, lang: str) -> str:
    verdict = translate("verify.valid" if reading.valid else "verify.invalid", lang)
    lines = [verdict, translate(f"verify.reason.{reading.reason}", lang, reason="")]
    if reading.number:
        lines += [f"  Nomor   : {reading.number}", f"  Jenis   : {reading.type_code}",
                  f"  Tanggal : {format_date(reading.letter_date)}", f"  Nama    : {reading.masked_name}",
                  f"  Desa    : {reading.village_code}"]
    if reading.valid:
        lines.append("  " + translate("verify.offline_note", lang))
    return "\n".join(lines)


def run_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when every QR found is genuine, 1 when one is not (or none is found), 2 on a bad key file."""
    keys: dict[str, Ed25519PublicKey] = {}
    try:
        for key_file in args.key or []:
            code, key = read_key_file(Path(key_file).read_text(encoding="utf-8"))
            keys[code] = key
    except (OSError, ValueError, KeyError):
        print(f"balai: {translate('verify.bad_key_file', args.lang)}: {key_file}")
        return 2
    if not keys:
        keys = _local_keys(settings)
    try:
        texts = _texts(args.target)
    except ValueError:
        print(translate("verify.invalid", args.lang) + "\n" + translate("verify.not_pdf", args.lang))
        return 1
    if not texts:
        print(translate("verify.invalid", args.lang) + "\n" + translate("verify.no_qr", args.lang))
        return 1
    readings = [read_seal(text, keys) for text in texts]
    if args.json:
        print(json.dumps([reading.as_dict() for reading in readings], ensure_ascii=False))
    else:
        print("\n\n".join(_describe(reading, args.lang) for reading in readings))
    return 0 if all(reading.valid for reading in readings) else 1


def run_key_export(args: argparse.Namespace, settings: Settings) -> int:
    keys = _local_keys(settings)
    if not keys:
        print(f"balai: {translate('error.not_set_up', 'id')}")
        return 1
    connection = sqlite3.connect(f"file:{settings.database_path}?mode=ro", uri=True)
    try:
        code, name = connection.execute("SELECT code, name FROM village WHERE id = 1").fetchone()
    finally:
        connection.close()
    text = key_file_json(code, name, public_key_text(next(iter(keys.values()))))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"public key of Desa {name} written to {args.out}")
    else:
        print(text, end="")
    return 0
