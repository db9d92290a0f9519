"""The `balai` command: serve, user, token, import, export, verify, key, backup, restore, migrate, update, sync,
bundle, hub, discover, firstboot. Every subcommand takes --data and --config the same way."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from pathlib import Path
from typing import Callable

from kiosk import balai_version
from kiosk.i18n import translate
from kiosk.services.errors import ServiceError
from kiosk.settings import Settings, SettingsError, load_settings


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="data folder (default ./var, or $BALAI_DATA)")
    parser.add_argument("--config", type=Path, default=None, help="TOML settings file (default /etc/balai/balai.toml)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="balai", description="Balai: the village-office server.")
    parser.add_argument("--version", action="version", version=f"balai {balai_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="start the office web server")
    _common(serve)
    serve.add_argument("--host", default=None, help="listen address (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=None, help="TCP port (default 8080)")
    serve.add_argument("--demo", action="store_true", default=None, help="demo village, operator and preview printer")

    user = commands.add_parser("user", help="manage operator accounts")
    user_commands = user.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", help="add an account (password from the terminal or stdin)")
    _common(add)
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["admin", "operator", "signer", "viewer"])
    add.add_argument("--full-name", default="")
    listing = user_commands.add_parser("list", help="list accounts")
    _common(listing)
    passwd = user_commands.add_parser("passwd", help="set an account's password")
    _common(passwd)
    passwd.add_argument("name")

    token = commands.add_parser("token", help="Bearer tokens for machines")
    token_commands = token.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = token_commands.add_parser("create", help="create a token and print it once")
    _common(create)
    create.add_argument("name")
    create.add_argument("--role", default="operator", choices=["admin", "operator", "signer", "viewer"])
    revoke = token_commands.add_parser("revoke", help="revoke a token")
    _common(revoke)
    revoke.add_argument("name")
    tokens = token_commands.add_parser("list", help="list tokens")
    _common(tokens)
    imports = commands.add_parser("import", help="bring data in from a file")
    import_commands = imports.add_subparsers(dest="what", metavar="WHAT", required=True)
    residents_in = import_commands.add_parser("residents", help="residents from the Excel import format or a SIAK export")
    _common(residents_in)
    residents_in.add_argument("file", type=Path)
    residents_in.add_argument("--dry-run", action="store_true", help="check and report only; never writes")
    residents_in.add_argument("--report", type=Path, default=None, help="write the per-row report (CSV) here")
    residents_in.add_argument("--accept-unusual-numbers", action="store_true",
                              help="take NIK/KK numbers with an unknown region, date or serial as warnings "
                                   "(data as the civil registry gave it); wrong lengths and duplicates stay errors")

    exports = commands.add_parser("export", help="write data out to a file")
    export_commands = exports.add_subparsers(dest="what", metavar="WHAT", required=True)
    residents_out = export_commands.add_parser("residents", help="residents as .xlsx (import format) or .csv")
    _common(residents_out)
    residents_out.add_argument("file", type=Path)

    verify = commands.add_parser("verify", help="check a letter's QR (text or PDF) offline")
    _common(verify)
    verify.add_argument("target", help="the QR text (URL) or a letter PDF file")
    verify.add_argument("--key", action="append", help="a village public key file (balai key export); repeatable")
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.add_argument("--lang", default="id", choices=["id", "en"])

    key = commands.add_parser("key", help="the village signing key")
    key_commands = key.add_subparsers(dest="action", metavar="ACTION", required=True)
    key_export = key_commands.add_parser("export", help="print (or --out FILE) the village public key file")
    _common(key_export)
    key_export.add_argument("--out", type=Path, default=None)
    from kiosk.backup_cli import add_commands as add_backup_commands  # balai backup, balai restore

    add_backup_commands(commands, _common, HANDLERS)
    from kiosk.update_cli import add_commands as add_update_commands  # balai migrate, balai update

    add_update_commands(commands, _common, HANDLERS)

    discover = commands.add_parser("discover", help="find Balai servers on the local network (mDNS)")
    _common(discover)
    discover.add_argument("--timeout", type=float, default=3.0, help="seconds to listen (default 3)")
    discover.add_argument("--interface", action="append", default=None, metavar="ADDRESS",
                          help="listen on this local address only; repeatable (default: the mdns_interfaces "
                               "setting, else every interface)")
    discover.add_argument("--json", action="store_true", help="print one JSON list")
    discover.add_argument("--lang", default="id", choices=["id", "en"])

    from kiosk.firstboot_cli import add_firstboot_command
    from sync.cli import add_commands

    add_firstboot_command(commands, _common)
    add_commands(commands, _common)
    return parser


def _settings(args: argparse.Namespace, **overrides: object) -> Settings:
    return load_settings(config_file=args.config, overrides={"data_dir": args.data, **overrides})


def _read_password(prompt: str) -> str:
    """From the terminal (asked twice) or, for scripts, the first line of stdin."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if first != getpass.getpass("Ulangi / repeat: "):
            raise ServiceError("error.password_mismatch")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _open(args: argparse.Namespace) -> Settings:
    from kiosk.app import prepare_database

    settings = _settings(args)
    prepare_database(settings)
    return settings


def _user(args: argparse.Namespace) -> int:
    from kiosk.services import accounts

    _open(args)
    if args.action == "add":
        password = _read_password(f"Kata sandi untuk {args.name}: ")
        accounts.create_user(args.name, password, args.role, full_name=args.full_name, actor="cli")
        print(f"user {args.name} ({args.role}) created")
    elif args.action == "list":
        for account in accounts.list_users():
            state = "active" if account.active else "inactive"
            print(f"{account.username}\t{account.role}\t{state}\t{account.full_name}")
    elif args.action == "passwd":
        accounts.set_password(args.name, _read_password(f"Kata sandi baru untuk {args.name}: "), actor="cli")
        print(f"password of {args.name} changed")
    return 0


def _token(args: argparse.Namespace) -> int:
    from kiosk.services import accounts

    _open(args)
    if args.action == "create":
        print(accounts.create_token(args.name, args.role, actor="cli"))
    elif args.action == "revoke":
        accounts.revoke_token(args.name, actor="cli")
        print(f"token {args.name} revoked")
    elif args.action == "list":
        for info in accounts.list_tokens():
            state = "revoked" if info.revoked else "active"
            print(f"{info.name}\t{info.role}\t{state}\tcreated {info.created_at:%Y-%m-%d %H:%M}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from kiosk.app import serve

    settings = _settings(args, host=args.host, port=args.port, demo=args.demo)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(settings)
    return 0


def _import(args: argparse.Namespace) -> int:
    """Prints one JSON summary; exits 1 (writing nothing) when the file has errors."""
    import json

    from kiosk.services import resident_files

    _open(args)
    lenient = args.accept_unusual_numbers
    summary = resident_files.import_file(args.file, dry_run=True, actor="cli", accept_unusual_numbers=lenient)
    if args.report is not None:
        resident_files.write_report(summary, args.report)
    if not args.dry_run and not summary.errors:
        summary = resident_files.import_file(args.file, dry_run=False, actor="cli", accept_unusual_numbers=lenient)
    print(json.dumps(summary.as_json()))
    for issue in summary.issues[:20]:
        level = "GALAT" if issue.level == "error" else "peringatan"
        print(f"  baris {issue.row}, {issue.column}: {level}: {translate(issue.key, 'id', **issue.params)}",
              file=sys.stderr)
    if len(summary.issues) > 20:
        print(f"  ... {len(summary.issues) - 20} lagi (pakai --report FILE)", file=sys.stderr)
    return 1 if summary.errors else 0


def _export(args: argparse.Namespace) -> int:
    from kiosk.services import resident_files

    _open(args)
    count = resident_files.export_file(args.file, actor="cli", role="admin")  # a shell on the box is admin
    print(f"{count} residents written to {args.file}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from kiosk.verify_cli import run_verify

    return run_verify(args, _settings(args))


def _key(args: argparse.Namespace) -> int:
    from kiosk.verify_cli import run_key_export

    return run_key_export(args, _settings(args))


def _discover(args: argparse.Namespace) -> int:
    """What a second display or a laptop sees of the office servers; exit 1 when none answered in time."""
    import json

    from kiosk.discovery import describe, find_servers

    interfaces = args.interface or _settings(args).mdns_interfaces
    timeout = max(args.timeout, 0.5)
    servers = find_servers(timeout, interfaces)
    if args.json:
        print(json.dumps([server.as_json() for server in servers], ensure_ascii=False))
    else:
        print(describe(servers, args.lang, timeout))
    return 0 if servers else 1


def _sync(args: argparse.Namespace) -> int:
    from sync.cli import run_sync

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return run_sync(args, _open)


def _bundle(args: argparse.Namespace) -> int:
    from sync.cli import run_bundle

    return run_bundle(args, _open)


def _hub(args: argparse.Namespace) -> int:
    from sync.cli import run_hub

    return run_hub(args)


def _firstboot(args: argparse.Namespace) -> int:
    from kiosk.firstboot_cli import run_firstboot

    return run_firstboot(args, _settings(args))


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": _serve, "user": _user, "token": _token, "import": _import, "export": _export, "verify": _verify,
    "key": _key, "sync": _sync, "bundle": _bundle, "hub": _hub, "discover": _discover,
    "firstboot": _firstboot,
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return HANDLERS[args.command](args)
    except SettingsError as error:
        print(f"balai: {error}", file=sys.stderr)
        return 2
    except ServiceError as error:
        print(f"balai: {translate(error.key, 'id', **error.params)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
