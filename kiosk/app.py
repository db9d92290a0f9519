"""Builds the office server: database, demo seed, print worker, mDNS, pages and API, in that order."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import shutil
from pathlib import Path


from nicegui import app, run, ui

from kiosk import balai_version
from kiosk.announce.audio import CallAudio
from kiosk.announce.guidance import Guidance
from kiosk.api import register_api
from kiosk.context import AppContext
from kiosk.data import data_path
from kiosk.db import close_database, database, open_database
from kiosk.discovery import AddressWatcher, Advertiser
from kiosk.i18n import ID, LANGUAGES, install_local_languages, remove_local_languages
from kiosk.i18n.local import load_language_files
from kiosk.migrations import migrate
from kiosk.network import mdns_addresses, public_base_url
from kiosk.notify import ServiceNotifier
from kiosk.private_file import load_or_create_secret
from kiosk.pages import register_pages
from kiosk.services import clock_guard, village
from sync import journal as sync_journal
from kiosk.services.demo import seed_demo
from kiosk.services.feed import ChangeFeed
from kiosk.services.letter_signing import options_from_settings, publish_public_key
from kiosk.services.letter_types import install_builtins
from kiosk.services.print_jobs import LETTER_KINDS, PrintWorker
from kiosk.services.resident_pins import PinPolicy
from kiosk.services.ratelimit import RateLimiter
from kiosk.services.ticket_print import make_letter_renderer, make_renderer
from kiosk.settings import Settings
from kiosk.web_guard import GuardLimits, install as install_web_guard
from printing.cups import letter_printer_from_setting
from printing.paper import paper_by_name
from printing.transports import printer_from_url

log = logging.getLogger(__name__)


def prepare_database(settings: Settings) -> None:
    """Create the data folder (private to this user), migrate with a backup first, and open the database."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.data_dir, 0o700)
    migrate(settings.database_path, settings.backup_dir, settings.backup_keep)
    open_database(settings.database_path)


def discard_broken_pickles(cache: Path) -> None:
    """python-escpos writes its capabilities cache in place; a power cut mid-write leaves a file that breaks
    every later print. Anything that does not load is deleted so escpos rebuilds it."""
    for path in cache.glob("*.pickle"):
        try:
            with open(path, "rb") as handle:
                pickle.load(handle)
        except Exception:  # noqa: BLE001 - any unreadable cache is rebuilt
            log.warning("discarding a broken printer-capabilities cache %s", path)
            path.unlink(missing_ok=True)


def storage_secret(settings: Settings) -> str:
    """The cookie-signing secret: generated on this machine on first start, never shipped."""
    return load_or_create_secret(settings.secret_file)


def _print_demo_credentials(username: str, password: str, resident_nik: str = "", resident_pin: str = "") -> None:
    bar = "=" * 64
    resident = (f"  warga demo untuk layanan mandiri / demo resident for self-service\n"
                f"  NIK : {resident_nik}   PIN : {resident_pin}\n") if resident_nik else ""
    print(f"\n{bar}\n  Balai demo: akun operator dibuat / operator account created\n"
          f"  nama pengguna / user name : {username}\n"
          f"  kata sandi sekali pakai / one-time password : {password}\n"
          f"  (ganti saat masuk pertama / change it at first login)\n{resident}{bar}\n", flush=True)


def build_app(settings: Settings) -> AppContext:
    """Everything but starting the web server; tests call this and then drive the app in-process."""
    prepare_database(settings)
    # Uploads left behind by a crash are population files with no further use (never while serving).
    for leftover in (settings.data_dir / "uploads").glob("*"):
        leftover.unlink(missing_ok=True)
    if settings.demo:
        seed = seed_demo(population=settings.demo_population)
        if seed.one_time_password:
            _print_demo_credentials(seed.username, seed.one_time_password, seed.resident_nik, seed.resident_pin)
        logo = settings.data_dir / "logo.png"
        if not logo.exists():  # a demo village gets a made-up emblem on its letters; a real one uploads its own
            shutil.copyfile(data_path("demo_logo.png"), logo)
    printer_url = settings.printer_url or ("preview:" if settings.demo else "")
    feed = ChangeFeed()
    worker = None
    if printer_url:
        printer = printer_from_url(printer_url, settings.preview_dir)
        if hasattr(printer, "timeout") and "timeout=" not in printer_url:
            printer.timeout = settings.printer_timeout  # a ?timeout= in the URL wins over the setting
        worker = PrintWorker(printer, make_renderer(paper_by_name(settings.printer_paper)),
                             settings.print_retry_max_seconds, on_change=feed.bump)
    letter_printer = letter_printer_from_setting(
        settings.letter_printer or ("preview:" if settings.demo else ""), settings.preview_dir, settings.letter_paper)
    letter_worker = None
    if letter_printer is not None:
        letter_worker = PrintWorker(letter_printer, make_letter_renderer(settings.letters_dir),
                                    settings.print_retry_max_seconds, on_change=feed.bump, kinds=LETTER_KINDS)
    install_builtins()
    base_url = public_base_url(settings.public_url, settings.host, settings.port)
    letters = options_from_settings(settings, base_url)
    if not village.needs_setup():
        publish_public_key(letters.key)
    ctx = AppContext(
        settings=settings,
        base_url=base_url,
        feed=feed,
        ticket_limiter=RateLimiter(settings.ticket_rate_per_minute),
        audio=CallAudio(settings.audio_dir, voice=settings.espeak_voice),
        print_worker=worker,
        letters=letters,
        pin_policy=PinPolicy(attempts=settings.pin_attempts),
        # The kiosk is one address for every resident: its own limit is wider, so a few residents who mistype
        # their PIN don't lock self-service for the whole waiting room; the per-NIK limit still holds. Only the
        # kiosk's own (loopback) browser gets it: letter_inputs.resident_login checks the client address.
        kiosk_pin_policy=PinPolicy(attempts=settings.pin_attempts * 6),
        letter_worker=letter_worker,
    )
    settings.audio_dir.mkdir(parents=True, exist_ok=True)
    ctx.audio.chime_path()
    remove_local_languages()
    local_languages = load_language_files([Path(p) for p in settings.language_files], ID, set(LANGUAGES))
    install_local_languages(local_languages)
    guidance = Guidance(settings.audio_dir, {lang.code: lang.voice for lang in local_languages})
    ctx.extras["guidance"] = guidance
    app.add_static_files("/audio", settings.audio_dir)
    # Cross-site posts, oversized bodies and missing security headers: one guard in front of every route.
    install_web_guard(app, GuardLimits.for_attachments(ctx.upload_max_bytes))
    register_pages(ctx)
    register_api(ctx)
    advertiser: list[Advertiser] = []
    mdns_watcher: list[AddressWatcher] = []
    background: list[asyncio.Task[None]] = []
    stopping = asyncio.Event()
    notifier = ServiceNotifier(settings.host, settings.port)  # systemd: READY=1, watchdog, STOPPING=1

    async def watch_clock() -> None:
        """Move the clock's high-water mark forward every minute (operators are warned if it goes back), and
        compact the sync journal every hour (an office offline for months keeps one row per changed record).

        Ends on `stopping`, not only on cancellation: NiceGUI's run.io_bound swallows a CancelledError."""
        minutes = 0
        while not stopping.is_set():
            try:
                await run.io_bound(clock_guard.observe)
                if minutes % 60 == 0:
                    await run.io_bound(sync_journal.compact, database)
            except Exception:  # noqa: BLE001 - a failed look at the clock must not end the watch
                log.exception("could not record the clock's high-water mark or compact the sync journal")
            minutes += 1
            try:
                await asyncio.wait_for(stopping.wait(), 60)
            except asyncio.TimeoutError:
                pass

    async def prepare_guidance() -> None:
        """Speak every fixed kiosk sentence into the cache once, in the background, so the first resident who
        turns the voice on hears it at once (a few seconds of espeak-ng on a Pi, then nothing)."""
        if settings.kiosk_voice and guidance.available():
            try:
                made = await run.io_bound(guidance.prepare)
                log.info("spoken guidance ready: %s clips", made)
            except Exception:  # noqa: BLE001 - the kiosk works without its voice
                log.exception("could not prepare the spoken guidance")

    async def start() -> None:
        background.append(asyncio.create_task(watch_clock()))
        background.append(asyncio.create_task(prepare_guidance()))
        for each in (worker, letter_worker):
            if each is not None:
                each.start()
        if settings.mdns_enabled:
            try:
                ad = Advertiser(_village_name(), settings.port, mdns_addresses(settings.mdns_interfaces),
                                settings.mdns_interfaces, balai_version())
                await ad.start()
                advertiser.append(ad)
                # Re-announce when DHCP moves the address or the admin renames the village.
                mdns_watcher.append(AddressWatcher(ad, lambda: mdns_addresses(settings.mdns_interfaces),
                                                   name_source=_village_name))
                mdns_watcher[-1].start()
            except Exception:  # noqa: BLE001 - no network must never stop the office from working
                log.exception("mDNS advertising failed; continuing without it")
        notifier.start()

    async def stop() -> None:
        await notifier.stop()
        stopping.set()
        for task in background:
            task.cancel()
        if background:
            await asyncio.wait(background, timeout=10)
        background.clear()
        for watcher in mdns_watcher:
            await watcher.stop()
        for ad in advertiser:
            await ad.stop()
        for each in (worker, letter_worker):
            if each is not None:
                each.stop()
        close_database()

    app.on_startup(start)
    app.on_shutdown(stop)
    return ctx


def _village_name() -> str:
    """The mDNS friendly name follows the village identity ("Balai" until set-up is done)."""
    info = village.get_village()
    return info.name if info else "Balai"


KEEP_ALIVE_SECONDS = 65


def serve(settings: Settings) -> None:
    """Start the web server in the foreground (what `balai serve` and `make run` do)."""
    from nicegui.storage import Storage

    # python-escpos writes a capabilities cache at import; keep it in our data folder, not a new /tmp dir each run.
    cache = (settings.data_dir / "cache").resolve()
    cache.mkdir(parents=True, exist_ok=True)
    discard_broken_pickles(cache)
    os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))
    Storage.path = (settings.data_dir / "browser-sessions").resolve()
    app.storage = Storage()
    ctx = build_app(settings)
    log.info("Balai %s on http://%s:%s (QR codes point to %s)", balai_version(), settings.host, settings.port,
             ctx.base_url)
    ui.run(
        host=settings.host, port=settings.port, title="Balai", reload=False, show=False,
        storage_secret=storage_secret(settings), language="id", favicon=_favicon(),
        fastapi_docs=True, show_welcome_message=False, reconnect_timeout=10.0,
        uvicorn_logging_level=settings.log_level.lower(),
        # Phones poll their ticket every 4 s (every 30 s once done): a connection kept longer than uvicorn's
        # 5 s default is reused instead of racing the server's close (a client then sees a dropped request).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


def _favicon() -> str:
    return "🏛️"


