"""The `balai sync`, `balai bundle` and `balai hub` commands (registered by kiosk.cli)."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import signal
import threading
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable


def add_commands(commands: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the sync, bundle and hub subcommands to the `balai` parser."""
    sync = commands.add_parser("sync", help="send this village's changes to the district hub")
    actions = sync.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = actions.add_parser("run", help="keep syncing until stopped (the balai-sync service)")
    common(run)
    run.add_argument("--interval", type=float, default=30.0, help="seconds between runs after a success")
    once = actions.add_parser("once", help="one exchange with the hub; exit 0 when everything was sent")
    common(once)
    once.add_argument("--json", action="store_true")
    status = actions.add_parser("status", help="pending changes, oldest pending, last success and error")
    common(status)
    status.add_argument("--json", action="store_true")
    enrol = actions.add_parser("enrol", help="register this village's key at the hub with a one-time code")
    common(enrol)
    enrol.add_argument("hub_url")
    enrol.add_argument("code")

    bundle = commands.add_parser("bundle", help="USB bundles for when the link is down")
    bundle_actions = bundle.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = bundle_actions.add_parser("export", help="write pending batches, signed and encrypted, into DIR")
    common(export)
    export.add_argument("dir", type=Path)

    hub = commands.add_parser("hub", help="the district hub")
    hub_actions = hub.add_subparsers(dest="action", metavar="ACTION", required=True)

    def hub_common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--data", type=Path, default=None, help="hub data folder (default ./var-hub)")
        parser.add_argument("--db", default=None, help="postgresql://user@host/db (default: SQLite in --data)")

    serve = hub_actions.add_parser("serve", help="start the hub (village API + district dashboard)")
    hub_common(serve)
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    hub_enrol = hub_actions.add_parser("enrol", help="print a one-time enrolment code for a village")
    hub_common(hub_enrol)
    hub_enrol.add_argument("village_code")
    hub_enrol.add_argument("--days", type=int, default=14)
    hub_import = hub_actions.add_parser("import", help="ingest USB bundles found in DIR")
    hub_common(hub_import)
    hub_import.add_argument("dir", type=Path)
    villages = hub_actions.add_parser("villages", help="every village: last sync and what the hub holds")
    hub_common(villages)
    villages.add_argument("--json", action="store_true")
    user = hub_actions.add_parser("user", help="add a district dashboard account (password from terminal/stdin)")
    hub_common(user)
    user.add_argument("name")
    user.add_argument("--full-name", default="")
    announce = hub_actions.add_parser("announce", help="send an announcement to one village or all")
    hub_common(announce)
    announce.add_argument("--village", default="*", help="village code, or * for all (default)")
    announce.add_argument("--title", required=True)
    announce.add_argument("--body", default="")
    announce.add_argument("--from", dest="starts", default=None, help="YYYY-MM-DD (default today)")
    announce.add_argument("--until", dest="ends", default=None, help="YYYY-MM-DD")
    template = hub_actions.add_parser("template", help="send a letter type (definition JSON + template HTML)")
    hub_common(template)
    template.add_argument("definition", type=Path)
    template.add_argument("body", type=Path)
    template.add_argument("--village", default="*")


# --- village side -----------------------------------------------------------------------------------------

def _village(args: argparse.Namespace, open_settings: Callable[[argparse.Namespace], Any]) -> tuple[Any, Any]:
    from kiosk.db import database
    from kiosk.seal import load_or_create_private_key

    settings = open_settings(args)
    # The commands honour BALAI_LOG_LEVEL like the server does (DEBUG shows each sealing, for diagnosis).
    logging.getLogger().setLevel(str(getattr(settings, "log_level", "INFO")).upper())
    return database, load_or_create_private_key(settings.signing_key_file)


def _message(code: str) -> str:
    """The operator's sentence for a sync error code (the same words as the sync page)."""
    from kiosk.i18n import translate
    from kiosk.services.sync_status import error_message

    key, params = error_message(code)
    return translate(key, "id", **params)


def _observe_clock() -> None:
    """Move the clock's high-water mark; best effort (on a full disk the run itself says what is wrong)."""
    from kiosk.services import clock_guard
    from kiosk.services.errors import DiskFull

    try:
        clock_guard.observe()
    except DiskFull:
        logging.getLogger("balai.sync").warning("the disk is full: the clock mark was not moved")


def run_sync(args: argparse.Namespace, open_settings: Callable[[argparse.Namespace], Any]) -> int:
    from sync.journal import NotSetUp

    try:
        return _run_sync(args, open_settings)
    except NotSetUp:
        print("balai: desa belum disiapkan (buka halaman penyiapan di browser terlebih dahulu) / "
              "the village is not set up yet", file=sys.stderr)
        return 1


def _run_sync(args: argparse.Namespace, open_settings: Callable[[argparse.Namespace], Any]) -> int:
    from kiosk.services.hub_items import apply_items
    from sync import journal
    from sync.client import SyncError, Uploader, enrol

    database, key = _village(args, open_settings)
    if args.action == "status":
        current = journal.status(database)
        if args.json:
            print(json.dumps(current.as_json()))
        else:
            for name, value in current.as_json().items():
                print(f"{name:22} {value}")
        return 0
    if args.action == "enrol":
        try:
            answer = enrol(database, key, args.hub_url, args.code)
        except SyncError as error:
            print(f"balai: {_message(error.code)} ({error})", file=sys.stderr)
            return 1
        from sync.keys import fingerprint, public_text

        print(f"desa {answer['village']} terdaftar di {args.hub_url}")
        print(f"sidik jari kunci desa / village key fingerprint: {fingerprint(public_text(key))}")
        print(f"sidik jari kunci kabupaten / hub key fingerprint: {fingerprint(answer['hub_sign_key'])}")
        return 0
    uploader = Uploader(database, key, apply_pulled=apply_items, poll_interval=getattr(args, "interval", 30.0))
    if args.action == "once":
        _observe_clock()
        try:
            result = uploader.once()
        except SyncError as error:
            print(json.dumps({"ok": False, "error": error.code, "detail": error.detail}) if args.json
                  else f"balai: {_message(error.code)} ({error})", file=sys.stdout if args.json else sys.stderr)
            return 1
        print(json.dumps({"ok": True, **result.as_json()}) if args.json else
              f"terkirim {result.acknowledged} batch, sudah ada di kabupaten {result.already_at_hub}, "
              f"ditolak {result.rejected} data, diterima dari kabupaten {result.pulled}")
        return 0
    stopping = threading.Event()

    def stop(*_: Any) -> None:
        stopping.set()
        uploader.stop()

    signal.signal(signal.SIGTERM, stop)
    # A hub URL and code from first boot (balai.toml on the boot partition) are used before anything is sent.
    from sync.pending_enrolment import enrol_pending

    if enrol_pending(database, key, open_settings(args).data_dir, stopping) == "stopped":
        return 0

    def report(outcome: Any) -> None:
        _observe_clock()
        logging.getLogger("balai.sync").info("%s", outcome)

    try:
        uploader.run(on_result=report)
    except KeyboardInterrupt:
        uploader.stop()
    return 0


def run_bundle(args: argparse.Namespace, open_settings: Callable[[argparse.Namespace], Any]) -> int:
    from kiosk.i18n import translate
    from sync.journal import NotSetUp
    from sync.usb import ExportError, export_pending

    database, key = _village(args, open_settings)
    try:
        exported = export_pending(database, key, args.dir)
    except NotSetUp:
        print("balai: desa belum disiapkan / the village is not set up yet", file=sys.stderr)
        return 1
    except ExportError as error:
        print(f"balai: {translate('sync.export.' + error.code, 'id')}", file=sys.stderr)
        return 1
    print(f"{exported.batches} batch ({exported.changes} perubahan) ditulis ke {exported.folder}")
    return 0


# --- hub side ---------------------------------------------------------------------------------------------

def run_hub(args: argparse.Namespace) -> int:
    from sync.hub.settings import hub_settings

    settings = hub_settings(args.data, args.db, getattr(args, "host", None), getattr(args, "port", None))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.action == "serve":
        from sync.hub.app import serve

        serve(settings)
        return 0
    from sync.hub.app import prepare_hub

    hub = prepare_hub(settings)
    handler = HUB_HANDLERS[args.action]
    return handler(args, hub)


def _hub_enrol(args: argparse.Namespace, hub: Any) -> int:
    from sync.hub.enrolment import EnrolmentError, create_code
    from sync.keys import fingerprint, public_text

    try:
        code = create_code(args.village_code, valid_days=args.days)
    except EnrolmentError as error:
        print(f"balai: kode desa tidak valid ({error.code}): 10 angka, mis. 32.04.12.2001", file=sys.stderr)
        return 1
    print(code)
    print(f"berlaku {args.days} hari, sekali pakai. Di desa: balai sync enrol <URL hub> {code}", file=sys.stderr)
    print(f"sidik jari kunci kabupaten / hub key fingerprint: {fingerprint(public_text(hub.keys.sign))}",
          file=sys.stderr)
    return 0


def _hub_import(args: argparse.Namespace, hub: Any) -> int:
    from sync.hub.bundle_import import import_bundles
    from sync.keys import box_key

    report = import_bundles(args.dir, box_key(hub.settings.box_key_file))
    print(json.dumps(report.as_json()))
    return 0 if report.bundles and not report.refused else 1


def _hub_villages(args: argparse.Namespace, hub: Any) -> int:
    from sync.hub.overview import villages_summary

    rows = villages_summary(hub.settings.alert_hours)
    if args.json:
        print(json.dumps(rows, default=str))
        return 0
    for row in rows:
        print(f"{row['code']}  {row['name'][:24]:24}  terakhir {row['last_sync'] or '-':19}  "
              f"penduduk {row['residents']:6}  KK {row['families']:6}  surat {row['letters']:5}"
              f"{'  PERINGATAN' if row['alert'] else ''}")
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Kata sandi: ")
        if first != getpass.getpass("Ulangi / repeat: "):
            raise SystemExit("balai: kata sandi tidak sama")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _hub_user(args: argparse.Namespace, hub: Any) -> int:
    from sync.hub.accounts import HubAccountError, create_user

    try:
        create_user(args.name, _read_password(), full_name=args.full_name)
    except HubAccountError as error:
        print(f"balai: {error.message}", file=sys.stderr)
        return 1
    print(f"akun kabupaten {args.name} dibuat")
    return 0


def _hub_announce(args: argparse.Namespace, hub: Any) -> int:
    from sync.hub.enrolment import EnrolmentError
    from sync.hub.pull import OutboxError, add_announcement

    try:
        starts = date.fromisoformat(args.starts) if args.starts else date.today()
        ends = date.fromisoformat(args.ends) if args.ends else None
        item = add_announcement(args.village, args.title, args.body, starts, ends, actor="cli")
    except (ValueError, OutboxError, EnrolmentError) as error:
        print(f"balai: pengumuman tidak valid ({error})", file=sys.stderr)
        return 1
    print(f"pengumuman #{item} menunggu diambil desa")
    return 0


def _hub_template(args: argparse.Namespace, hub: Any) -> int:
    from sync.hub.enrolment import EnrolmentError
    from sync.hub.pull import OutboxError, add_letter_type

    try:
        definition = json.loads(args.definition.read_text(encoding="utf-8"))
        item = add_letter_type(args.village, definition, args.body.read_text(encoding="utf-8"), actor="cli")
    except (OSError, ValueError, OutboxError, EnrolmentError) as error:
        print(f"balai: jenis surat tidak dapat dikirim ({error})", file=sys.stderr)
        return 1
    print(f"jenis surat #{item} menunggu diambil desa")
    return 0


HUB_HANDLERS: dict[str, Callable[[argparse.Namespace, Any], int]] = {
    "enrol": _hub_enrol, "import": _hub_import, "villages": _hub_villages, "user": _hub_user,
    "announce": _hub_announce, "template": _hub_template,
}
