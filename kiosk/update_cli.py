"""`balai migrate` and `balai update` (registered by kiosk.cli).

On the device (as root; see docs/updates.md):
    balai update check FILE [--json]        is this bundle signed by a trusted key, and newer?  (changes nothing)
    balai update apply FILE [--json]        install it: new release, backup, migrate, switch, health, or roll back
    balai update recover [--json]           finish or undo an update a power cut interrupted
    balai update run-pending [--json]       what balai-update.service runs: recover, then the admin page's request
    balai update status [--json]            the running release, an update under way, the history
At the publisher (a build machine, never a village device):
    balai update keygen PRIVATE PUBLIC      an Ed25519 key pair; PUBLIC goes into the image's /etc/balai/update-keys
    balai update pack WHEELS --key PRIVATE --out FILE [--notes-file FILE]
Exit 0 when done (or, for apply, installed), 1 when refused or rolled back, with the reason in Indonesian and English.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable

from kiosk.i18n import translate
from kiosk.services.errors import ServiceError


def add_commands(commands: Any, common: Callable[[argparse.ArgumentParser], None],
                 handlers: dict[str, Callable[[argparse.Namespace], int]]) -> None:
    migrate = commands.add_parser("migrate", help="bring the database to this release's schema (backup first)")
    common(migrate)
    handlers["migrate"] = run_migrate

    update = commands.add_parser("update", help="offline updates from a signed bundle (USB stick)")
    actions = update.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, help_text in (("check", "verify a bundle; change nothing"), ("apply", "install a bundle")):
        parser = actions.add_parser(name, help=help_text)
        common(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="print one JSON object")
    for name, help_text in (("recover", "finish or undo an interrupted update"),
                            ("run-pending", "recover, then carry out the admin page's request (balai-update.service)"),
                            ("status", "the running release and the update history")):
        parser = actions.add_parser(name, help=help_text)
        common(parser)
        parser.add_argument("--json", action="store_true", help="print one JSON object")
    keygen = actions.add_parser("keygen", help="make a publisher key pair (build machine)")
    keygen.add_argument("private", type=Path)
    keygen.add_argument("public", type=Path)
    pack = actions.add_parser("pack", help="sign a folder of wheels into a bundle (build machine)")
    pack.add_argument("wheels", type=Path, help="folder with Balai's wheel and every dependency's")
    pack.add_argument("--key", type=Path, required=True, help="the publisher's private key")
    pack.add_argument("--out", type=Path, required=True, help="bundle file to write (balai-update-<version>.tar)")
    pack.add_argument("--notes-file", type=Path, default=None, help="release notes shown on the admin page")
    handlers["update"] = run_update


def _both(message: str, **params: Any) -> str:
    return f"{translate(message, 'id', **params)} / {translate(message, 'en', **params)}"


def _settings(args: argparse.Namespace) -> Any:
    from kiosk.settings import load_settings

    return load_settings(config_file=args.config, overrides={"data_dir": args.data})


def run_migrate(args: argparse.Namespace) -> int:
    from kiosk.app import prepare_database
    from kiosk.db import close_database, database

    settings = _settings(args)
    prepare_database(settings)
    version = database.execute_sql("PRAGMA user_version").fetchone()[0]
    close_database()
    print(_both("update.cli.migrated", schema=version))
    return 0


def run_update(args: argparse.Namespace) -> int:
    try:
        return _ACTIONS[args.action](args)
    except ServiceError as error:
        if getattr(args, "json", False):
            print(json.dumps({"ok": False, "error": error.key, "message": translate(error.key, "id", **error.params),
                              "message_en": translate(error.key, "en", **error.params)}, ensure_ascii=False))
        print(f"balai: {_both(error.key, **error.params)}", file=sys.stderr)
        return 1


def _print(args: argparse.Namespace, value: dict[str, Any], line: str) -> None:
    print(json.dumps(value, ensure_ascii=False) if args.json else line)


def _manifest_json(manifest: Any) -> dict[str, Any]:
    return {"version": manifest.version, "created_at": manifest.created_at, "key_id": manifest.key_id,
            "wheels": len(manifest.wheels), "notes": manifest.notes}


def _check(args: argparse.Namespace) -> int:
    from kiosk.services.update_install import Installer

    manifest = Installer(_settings(args)).check(args.file)
    _print(args, {"ok": True, **_manifest_json(manifest)},
           _both("update.cli.checked", version=manifest.version, key_id=manifest.key_id, wheels=len(manifest.wheels)))
    return 0


def _result_line(result: Any) -> tuple[dict[str, Any], str, int]:
    if isinstance(result, dict):  # a request that was refused before anything changed
        return {"ok": False, **result}, _both(result.get("reason", "update.refused")), 1
    if result.outcome == "installed":
        return result.as_json(), _both("update.cli.installed", old=result.from_version, new=result.to_version), 0
    return (result.as_json(), _both("update.cli.rolled_back", old=result.from_version, new=result.to_version,
                                    reason=translate(f"update.reason.{result.reason}", "id")), 1)


def _apply(args: argparse.Namespace) -> int:
    from kiosk.services.update_install import Installer

    settings = _settings(args)
    value, line, code = _result_line(Installer(settings, args.config, actor="cli").apply(args.file))
    _print(args, value, line)
    return code


def _recover(args: argparse.Namespace) -> int:
    from kiosk.services.update_install import Installer

    result = Installer(_settings(args), args.config, actor="boot").recover()
    if result is None:
        _print(args, {"ok": True, "outcome": "nothing"}, _both("update.cli.nothing"))
        return 0
    value, line, code = _result_line(result)
    _print(args, value, line)
    return code


def _run_pending(args: argparse.Namespace) -> int:
    from kiosk.services.update_requests import run_pending

    results = run_pending(_settings(args), args.config)
    if not results:
        _print(args, {"ok": True, "outcome": "nothing"}, _both("update.cli.nothing"))
        return 0
    code = 0
    lines = [_result_line(result) for result in results]
    for value, line, result_code in lines:
        if not args.json:
            print(line)
        code = max(code, result_code)
    if args.json:
        print(json.dumps({"ok": code == 0, "results": [value for value, _, _ in lines]}, ensure_ascii=False))
    return code


def _status(args: argparse.Namespace) -> int:
    from kiosk.services.update_requests import status

    value = status(_settings(args))
    if args.json:
        print(json.dumps(value, ensure_ascii=False))
        return 0
    print(f"balai {value['version']}" + ("" if value["appliance"] else " (not an appliance install)"))
    if value["state"]:
        print(f"update under way: {value['state']}")
    for entry in value["history"][:10]:
        print(f"{entry.get('at', '')}\t{entry.get('outcome', '')}\t{entry.get('from', '')} -> {entry.get('to', '')}"
              f"\t{entry.get('reason', '')}")
    return 0


def _keygen(args: argparse.Namespace) -> int:
    from kiosk.services.update_bundle import generate_key

    kid = generate_key(args.private, args.public)
    print(_both("update.cli.key_made", key_id=kid, public=args.public))
    return 0


def _pack(args: argparse.Namespace) -> int:
    from kiosk.services.update_bundle import load_private_key, pack

    notes = ""
    if args.notes_file is not None:
        try:
            notes = args.notes_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ServiceError("update.notes_unreadable") from error
    manifest = pack(args.wheels, load_private_key(args.key), args.out, notes)
    print(_both("update.cli.packed", out=args.out, version=manifest.version, wheels=len(manifest.wheels),
                key_id=manifest.key_id))
    return 0


_ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _check, "apply": _apply, "recover": _recover, "run-pending": _run_pending, "status": _status,
    "keygen": _keygen, "pack": _pack,
}
