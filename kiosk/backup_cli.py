"""The `balai backup` and `balai restore` commands (registered by kiosk.cli).

    balai backup [--to DIR] [--passphrase-file FILE | --encrypt] [--json]   one checked backup now
    balai backup --nightly [--json]                  what the nightly timer runs (device folder + USB stick)
    balai backup verify FILE [--passphrase-file FILE] [--json]              (or: balai backup --verify FILE)
    balai restore FILE [--passphrase-file FILE] [--force] [--json]          with the service stopped

Exit 0 with one summary line (one JSON object with --json), exit 1 with the reason in Indonesian and English
and nothing changed. A passphrase never comes on the command line (it would sit in the shell history and in
`ps`): from a file (`-` for standard input), from the terminal, or from the first line of standard input.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any, Callable

from kiosk.i18n import translate
from kiosk.services.errors import ServiceError


def add_commands(commands: Any, common: Callable[[argparse.ArgumentParser], None],
                 handlers: dict[str, Callable[[argparse.Namespace], int]]) -> None:
    """Add `backup` and `restore` to the `balai` parser and their handlers to kiosk.cli's table."""
    # No abbreviations: `--passphrase SECRET` must be an error, not a file name taken from the command line.
    backup = commands.add_parser("backup", help="back the office up (database + keys), or check a backup",
                                 allow_abbrev=False)
    common(backup)
    backup.add_argument("action", nargs="?", choices=["verify"], help="verify FILE: check a backup, change nothing")
    backup.add_argument("file", nargs="?", type=Path, help="the backup file to verify")
    backup.add_argument("--verify", dest="verify_file", type=Path, metavar="FILE", help="same as: verify FILE")
    backup.add_argument("--to", type=Path, default=None,
                        help="folder to write into (default: <data>/backups/nightly)")
    backup.add_argument("--passphrase-file", type=Path, default=None,
                        help="encrypt (or decrypt) with the passphrase on this file's first line; - = stdin")
    backup.add_argument("--encrypt", action="store_true",
                        help="encrypt; the passphrase is asked on the terminal (or read from stdin)")
    backup.add_argument("--nightly", action="store_true",
                        help="the nightly run: device folder (keeps backup_keep) + encrypted copy on a USB stick")
    backup.add_argument("--json", action="store_true", help="print one JSON object")

    restore = commands.add_parser("restore", help="replace the database and keys with a backup (service stopped)",
                                  allow_abbrev=False)
    common(restore)
    restore.add_argument("file", type=Path)
    restore.add_argument("--passphrase-file", type=Path, default=None,
                         help="the passphrase of an encrypted backup on this file's first line; - = stdin")
    restore.add_argument("--force", action="store_true",
                         help="restore even though a program answers on the server's port (never while another "
                              "process has the database open)")
    restore.add_argument("--json", action="store_true", help="print one JSON object")
    handlers["backup"] = run_backup
    handlers["restore"] = run_restore


def _both(key: str, **params: Any) -> str:
    """A sentence in Indonesian, then English: whoever is at the console reads one of them."""
    return f"{translate(key, 'id', **params)} / {translate(key, 'en', **params)}"


def _fail(args: argparse.Namespace, error: ServiceError) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "error": error.key, "message": translate(error.key, "id", **error.params),
                          "message_en": translate(error.key, "en", **error.params)}, ensure_ascii=False))
    print(f"balai: {_both(error.key, **error.params)}", file=sys.stderr)
    return 1


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"


def read_passphrase(source: Path | None, *, confirm: bool) -> str:
    """From `source` (first line; `-` = stdin), else the terminal (twice when `confirm`), else stdin."""
    if source is not None:
        try:
            text = sys.stdin.readline() if str(source) == "-" else source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ServiceError("backup.unreadable") from error
        lines = text.splitlines()
        passphrase = lines[0] if lines else ""
    elif sys.stdin.isatty():
        passphrase = getpass.getpass("Kata sandi cadangan / backup passphrase: ")
        if confirm and passphrase != getpass.getpass("Ulangi / repeat: "):
            raise ServiceError("backup.passphrase_mismatch")
    else:
        passphrase = sys.stdin.readline().rstrip("\r\n")
    if not passphrase:
        raise ServiceError("backup.passphrase_empty")
    return passphrase


def _settings(args: argparse.Namespace) -> Any:
    from kiosk.settings import load_settings

    return load_settings(config_file=args.config, overrides={"data_dir": args.data})


def _open_live(settings: Any) -> None:
    """Open the live database for the audit log only - no migration: a backup takes the office as it is."""
    from kiosk.db import open_database

    if settings.database_path.is_file():
        open_database(settings.database_path)


def run_backup(args: argparse.Namespace) -> int:
    from kiosk.db import close_database

    settings = _settings(args)
    try:
        verify_file = args.verify_file or (args.file if args.action == "verify" else None)
        if args.action == "verify" or args.verify_file is not None:
            if verify_file is None:
                print("balai: backup verify FILE", file=sys.stderr)
                return 2
            return _verify(args, settings, verify_file)
        if args.file is not None:
            print("balai: unexpected argument (did you mean: balai backup verify FILE?)", file=sys.stderr)
            return 2
        _open_live(settings)
        if args.nightly:
            return _nightly(args, settings)
        return _create(args, settings)
    except ServiceError as error:
        return _fail(args, error)
    finally:
        close_database()


def _create(args: argparse.Namespace, settings: Any) -> int:
    from kiosk.services import backup

    passphrase = None
    if args.passphrase_file is not None or args.encrypt:
        passphrase = read_passphrase(args.passphrase_file, confirm=True)
    info = backup.create_backup(settings, args.to or backup.nightly_dir(settings), passphrase, actor="cli")
    if args.json:
        print(json.dumps({"ok": True, **info.as_json()}, ensure_ascii=False))
    else:
        print(_both("backup.cli.written", path=info.path, size=_size(info.size), village=info.village,
                    schema=info.schema_version, enc=translate("backup.cli.encrypted") if info.encrypted else ""))
    return 0


def _nightly(args: argparse.Namespace, settings: Any) -> int:
    """Exit 1 when the device copy or a USB copy failed (no stick, or no passphrase set, is not a failure)."""
    from kiosk.services import backup

    result = backup.nightly(settings, actor="nightly")
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    elif result.local is not None:
        usb = ", ".join(str(copy.path) for copy in result.usb_copies) or result.usb
        print(_both("backup.cli.nightly", file=result.local.path, size=_size(result.local.size), usb=usb))
    for key in filter(None, (result.local_error, result.usb_error)):
        print(f"balai: {_both(key)}", file=sys.stderr)
    return 0 if result.ok else 1


def _verify(args: argparse.Namespace, settings: Any, path: Path) -> int:
    from kiosk.services import backup
    from kiosk.services.backup_archive import is_encrypted

    passphrase = None
    if args.passphrase_file is not None or is_encrypted(path):
        passphrase = read_passphrase(args.passphrase_file, confirm=False)
    work = settings.data_dir if settings.data_dir.is_dir() else None
    info = backup.verify_backup(path, passphrase, work_dir=work)
    if args.json:
        print(json.dumps({"ok": True, **info.as_json()}, ensure_ascii=False))
    else:
        print(_both("backup.cli.verified", path=info.path, village=info.village, created=info.created_at,
                    schema=info.schema_version, enc=translate("backup.cli.encrypted") if info.encrypted else ""))
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from kiosk.services import backup
    from kiosk.services.backup_archive import is_encrypted

    settings = _settings(args)
    try:
        passphrase = None
        if args.passphrase_file is not None or is_encrypted(args.file):
            passphrase = read_passphrase(args.passphrase_file, confirm=False)
        done = backup.restore_backup(settings, args.file, passphrase, force=args.force, actor="cli")
    except ServiceError as error:
        return _fail(args, error)
    if args.json:
        print(json.dumps({"ok": True, **done.as_json()}, ensure_ascii=False))
    else:
        print(_both("backup.cli.restored", file=done.backup.path.name, epoch=done.epoch, kept=done.kept or "-"))
    return 0
