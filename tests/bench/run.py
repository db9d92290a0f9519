"""Runs the server rows (1-6, tap, kiosk_bytes) against one fresh demo server, then the two ten-minute mixed-load
rows (each with its own fresh demo server: on every core, then pinned to one), then the residents, letters and
sync rows in-process, and prints one table.

Environment knobs: BENCH_SECONDS (phone-load duration, default 60), BENCH_PHONES (50),
BENCH_DISPLAYS (Chromium /display pages, 10; 0 skips), BENCH_DISPLAY_SECONDS (20),
BENCH_RESIDENTS_BIG (people in the big search population, 100000; lower it for a quick run),
BENCH_REGISTER_PDF_ROWS (Buku Induk rows laid out as PDF, 1500, then extrapolated to 10,000; 0 = all),
BENCH_SYNC_RESIDENTS (residents of the sync rows' village, 10000; lower it for a quick run),
BENCH_TAPS (timed kiosk taps in Chromium for the tap row, 40; 0 skips),
BENCH_MIXED_SECONDS (length of each mixed-load row, 600), BENCH_MIXED_PHONES (phones in it, 50),
BENCH_ONLY (comma-separated row keys, e.g. `BENCH_ONLY=sync_bytes,sync_ingest,sync_first`: only those rows
run and appear in the table; the demo server starts only when one of its rows is chosen; an unknown key
stops the run with the list of keys). Keys: issue status idle phones displays transfer tap kiosk_bytes, mixed_all mixed_one, res_import
res_reimport res_search_small res_stats res_registers res_load_big res_search_big, let_sign let_verify
let_verify_offline, sync_bytes sync_ingest sync_first. A row that builds on an earlier one (res_reimport,
status, the let_verify rows) reports that the earlier one did not run when chosen alone.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from tests.bench import api_latency, browsers, kiosk_tap, mixed_load, phones, transfer
from tests.bench.letters import LetterBench
from tests.bench.residents import ResidentBench
from tests.bench.sync import SyncBench
from tests.bench.procinfo import check_is_python, rss_kib, threads
from tests.bench.report import Row, machine_lines, mb, percentile, render_table, verdict
from tests.support.capture_server import CapturePrinterServer
from tests.support.server import ROOT, BalaiServer, make_token

IDLE_TARGET_MB = 120
PHONES_TARGET_MB = 160
TRANSFER_TARGET_BYTES = 1.5 * 1024 * 1024
TAP_TARGET_MS = 300
SEARCH_TARGET_MS = 20
SERVER_CPU = 0
PRINT_STALL_SECONDS = 15.0
ARTIFACTS = ROOT / "test-artifacts"


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def _pin_client() -> str:
    """Keep this process (and the threads and browsers it starts) off the server's core."""
    try:
        cores = sorted(os.sched_getaffinity(0))
    except AttributeError:
        return "client not pinned"
    others = [c for c in cores if c != SERVER_CPU]
    if len(os.sched_getaffinity(0)) >= 2 and others:
        os.sched_setaffinity(0, {others[0]})
        return f"server on core {SERVER_CPU}, client on core {others[0]}"
    return f"server on core {SERVER_CPU}, client not pinned (1 core)"


def _client_core() -> str:
    try:
        return ",".join(str(core) for core in sorted(os.sched_getaffinity(0)))
    except AttributeError:
        return "any"


def _keep_log(source: Path, target: Path, limit: int = 512 * 1024) -> None:
    """Copy the server log for later reading; a flooded log keeps only its head and tail."""
    if not source.exists():
        return
    size = source.stat().st_size
    if size <= 2 * limit:
        shutil.copyfile(source, target)
        return
    with open(source, "rb") as src, open(target, "wb") as dst:
        dst.write(src.read(limit))
        dst.write(f"\n[... {size - 2 * limit} bytes cut by the bench ...]\n".encode())
        src.seek(size - limit)
        dst.write(src.read())


class Bench:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.errors: list[str] = []
        self.rows = {key: Row(metric) for key, metric in [
            ("issue", "Ticket issue, POST /api/v1/queue/tickets"),
            ("status", "Ticket status, GET /api/v1/queue/tickets/{id}"),
            ("idle", "Server RSS idle"),
            ("phones", "Server RSS peak, 50 phones polling"),
            ("displays", "Server RSS peak, Chromium /display pages"),
            ("transfer", "Kiosk first load, HTML + scripts + CSS"),
            ("tap", "Kiosk tap → number on screen, Chromium 800x480 touch"),
            ("kiosk_bytes", "Kiosk /kiosk bytes received by Chromium, empty cache / cached"),
            ("mixed_all", "Mixed load: 50 phones, 3 operators, kiosk, display; server on all cores"),
            ("mixed_one", "Mixed load: 50 phones, 3 operators, kiosk, display; server pinned to one core"),
        ]}
        self.residents = ResidentBench(workdir)
        for key, metric, _ in self.residents.steps():
            self.rows[key] = Row(metric)
        self.letters = LetterBench(workdir)
        for key, metric, _ in self.letters.steps():
            self.rows[key] = Row(metric)
        self.sync = SyncBench(workdir)
        for key, metric, _ in self.sync.steps():
            self.rows[key] = Row(metric)
        self.only = only_keys(self.rows)
        self.server: BalaiServer | None = None
        self.printer: CapturePrinterServer | None = None
        self.token = ""
        self.ticket_ids: list[str] = []
        self.idle_kib: int | None = None

    # ------------------------------------------------------------------ plumbing

    def selected(self, key: str) -> bool:
        return not self.only or key in self.only

    def attempt(self, key: str, step) -> None:  # noqa: ANN001 - a callable taking the row
        if not self.selected(key):
            return
        row = self.rows[key]
        _progress(f"{row.metric} ...")
        started = time.monotonic()
        try:
            step(row)
        except browsers.Skipped as skipped:
            row.value, row.result = str(skipped), "skipped"
        except Exception as error:  # noqa: BLE001 - one broken row must not stop the others
            row.fail(error)
            self.errors.append(f"--- {row.metric}\n{traceback.format_exc()}")
        _progress(f"    {row.value}  ({time.monotonic() - started:.1f} s)")

    @property
    def pid(self) -> int:
        if self.server is None or self.server.process is None:
            raise RuntimeError("server is not running")
        if self.server.process.poll() is not None:
            raise RuntimeError(f"server exited with code {self.server.process.returncode}; see "
                               f"test-artifacts/bench-server.log")
        return self.server.pid

    def start(self) -> None:
        self.printer = CapturePrinterServer().start()
        self.server = BalaiServer(
            self.workdir / "data", demo=True, cpu=SERVER_CPU,
            printer_url=f"tcp://127.0.0.1:{self.printer.port}",
            extra_env={"BALAI_TICKET_RATE_PER_MINUTE": "100000", "BALAI_DEMO_POPULATION": "1"},
            log_path=self.workdir / "server.log",
        )
        self.server.start()
        check_is_python(self.server.pid)
        self.token = make_token(self.server.data_dir, "bench-operator")

    def stop(self) -> None:
        if self.server is not None:
            try:
                self.server.stop()
            finally:
                ARTIFACTS.mkdir(exist_ok=True)
                _keep_log(self.server.log_path, ARTIFACTS / "bench-server.log")
        if self.printer is not None:
            self.printer.stop()

    # ---------------------------------------------------------------------- rows

    def issue(self, row: Row) -> None:
        assert self.printer is not None
        jobs_before = len(self.printer.jobs)
        self.ticket_ids = api_latency.issue_tickets(self.server.url, row, count=500, warmup=20)
        last_post = time.monotonic()
        drained, text = self._print_drain(jobs_before, len(self.ticket_ids), last_post)
        row.notes += "; " + text
        if not drained:
            row.result = "MISS"

    def _print_drain(self, jobs_before: int, issued: int, since: float) -> tuple[bool, str]:
        """The print hand-off is part of issuing: wait until every ticket reached the capture printer, or
        until no job has arrived for PRINT_STALL_SECONDS (a stuck queue must not eat the run's time)."""
        assert self.printer is not None
        expected, last_count, last_change = jobs_before + issued, len(self.printer.jobs), time.monotonic()
        while len(self.printer.jobs) < expected and time.monotonic() - last_change < PRINT_STALL_SECONDS:
            time.sleep(0.2)
            if len(self.printer.jobs) != last_count:
                last_count, last_change = len(self.printer.jobs), time.monotonic()
        delivered = len(self.printer.jobs) - jobs_before
        if delivered >= issued:
            return True, f"all {issued} tickets at the printer {time.monotonic() - since:.1f} s after the last POST"
        text = f"PRINT STALLED: {delivered}/{issued} tickets at the printer, none for {PRINT_STALL_SECONDS:.0f} s"
        problem = self._first_server_error()
        return False, text + (f" (server log: {problem})" if problem else "")

    def _first_server_error(self) -> str:
        """The first ERROR line of the server log and the exception that ended its traceback."""
        assert self.server is not None
        lines = self.server.log_text().splitlines()
        for i, text in enumerate(lines):
            if " ERROR " in text:
                count = sum(1 for t in lines if " ERROR " in t)
                cause = next((t.strip() for t in lines[i + 1:i + 60] if re.match(r"^\w+(\.\w+)*(Error|Exception)\b", t)), "")
                return f"{count} ERROR lines, first: {text.split(' ERROR ', 1)[1][:70]}; {cause[:150]}"
        return ""

    def status(self, row: Row) -> None:
        self.pid  # noqa: B018 - raises when the server died
        if not self.ticket_ids:  # row 1 failed: look up a few fresh tickets instead
            self.ticket_ids = api_latency.issue_tickets(self.server.url, Row("spare"), count=20, warmup=0)
        api_latency.ticket_status(self.server.url, row, self.ticket_ids[:500], count=500, warmup=20)

    def idle(self, row: Row) -> None:
        check_is_python(self.pid)
        time.sleep(5.0)
        self.idle_kib = rss_kib(self.pid)
        row.value = mb(self.idle_kib)
        row.target = f"≤ {IDLE_TARGET_MB} MB"
        row.result = verdict(self.idle_kib / 1024, IDLE_TARGET_MB)
        row.notes = f"VmRSS of pid {self.pid} ({Path(f'/proc/{self.pid}/comm').read_text().strip()}) after " \
                    f"rows 1-2 and 5 s quiet; {threads(self.pid)} threads"

    def phones(self, row: Row) -> None:
        count = int(_env_number("BENCH_PHONES", 50))
        seconds = _env_number("BENCH_SECONDS", 60)
        row.metric = f"Server RSS peak, {count} phones polling"
        check_is_python(self.pid)
        result = asyncio.run(phones.run_phones(self.server.url, self.pid, self.token, phones=count, seconds=seconds))
        row.value = mb(result.peak_kib) + self._delta(result.peak_kib)
        row.target = f"≤ {PHONES_TARGET_MB} MB"
        row.result = verdict(result.peak_kib / 1024, PHONES_TARGET_MB)
        if result.stats.errors:
            row.result = "MISS"
        row.notes = result.notes() + f"; {threads(self.pid)} threads after"

    def displays(self, row: Row) -> None:
        count = int(_env_number("BENCH_DISPLAYS", 10))
        seconds = _env_number("BENCH_DISPLAY_SECONDS", 20)
        row.metric = f"Server RSS peak, {count} Chromium /display pages"
        if count <= 0:
            raise browsers.Skipped("skipped: BENCH_DISPLAYS=0")
        check_is_python(self.pid)
        result = asyncio.run(browsers.run_displays(self.server.url, self.pid, self.token, pages=count,
                                                   seconds=seconds))
        row.value = mb(result.peak_kib) + self._delta(result.peak_kib)
        per_page = (result.connected_kib - result.before_kib) / count / 1024
        row.notes = (f"{mb(result.before_kib)} before, {mb(result.connected_kib)} with all connected "
                     f"(~{per_page:.1f} MB/page), peak over {seconds:.0f} s of calls every 2 s; "
                     f"connect {result.connect_seconds:.1f} s; {result.stats.error_summary()}")

    def transfer(self, row: Row) -> None:
        weight = transfer.page_weight(self.server.url, "/kiosk")
        row.value = f"{weight.raw / 1024:.0f} KiB raw / {weight.gzip / 1024:.0f} KiB gzip"
        row.target = "≤ 1.5 MB (wire)"
        row.result = verdict(weight.gzip, TRANSFER_TARGET_BYTES)
        uncompressed = [r for r in weight.resources if not r.encoded and r.raw >= 1024]
        biggest = ", ".join(f"{r.url.rsplit('/', 1)[-1]} {r.gzip / 1024:.0f}" for r in weight.largest(3))
        row.notes = f"{len(weight.resources)} files; largest gzip KiB: {biggest}"
        if uncompressed:
            row.notes += f"; sent without gzip: {', '.join(r.url.rsplit('/', 1)[-1] for r in uncompressed)}"
        if weight.missing:
            row.notes += f"; not found: {', '.join(weight.missing[:3])}"
        try:
            seen = asyncio.run(browsers.kiosk_first_load(self.server.url))
            row.notes += (f"; Chromium cold load: {seen.files} requests, {seen.wire_bytes / 1024:.0f} KiB on the "
                          f"wire incl. {seen.fonts} fonts {seen.font_bytes / 1024:.0f} KiB")
        except browsers.Skipped:
            pass
        except Exception as error:  # noqa: BLE001 - the cross-check is a note, not the measurement
            row.notes += f"; browser cross-check failed: {type(error).__name__}"

    def tap(self, row: Row) -> None:
        taps = int(_env_number("BENCH_TAPS", 40))
        if taps <= 0:
            raise browsers.Skipped("skipped: BENCH_TAPS=0")
        self.pid  # noqa: B018 - raises when the server died
        result, seconds = kiosk_tap.timed(kiosk_tap.run_taps(self.server.url, taps=taps, server_pid=self.pid))
        p95 = percentile(result.totals, 95)
        row.value = result.summary()
        row.target = f"p95 ≤ {TAP_TARGET_MS} ms"
        row.result = verdict(p95, TAP_TARGET_MS)
        row.notes = (f"{len(result.totals)} taps after {result.warmup} warm-up, the service tiles in turn, each followed by "
                     f"Selesai; pointerdown timeStamp → frame painting .kiosk-number; phases p50/p95 ms: "
                     f"{result.breakdown()}; {result.lost_text()}; every ticket printed to the capture "
                     f"printer; per tap cycle (issue, ticket screen, print job, home again) the server ran "
                     f"{result.server_cpu_ms_per_tap:.0f} ms on CPU and waited {result.server_wait_ms_per_tap:.0f} ms "
                     f"for its core; {seconds:.0f} s")

    def kiosk_bytes(self, row: Row) -> None:
        self.pid  # noqa: B018 - raises when the server died
        (first, cached), _ = kiosk_tap.timed(kiosk_tap.kiosk_bytes(self.server.url))
        row.value = f"first {first.encoded / 1024:.0f} KiB / cached {cached.encoded / 1024:.0f} KiB"
        row.notes = (f"CDP Network.loadingFinished encodedDataLength, same context twice; first: {first.text()}; "
                     f"cached: {cached.text()}; websocket frames not counted")

    def mixed(self, row: Row, cpu: int | None) -> None:
        """Its own fresh office per row, so the earlier rows' 500 tickets and tokens do not weigh on it."""
        seconds = _env_number("BENCH_MIXED_SECONDS", 600)
        phone_count = int(_env_number("BENCH_MIXED_PHONES", 50))
        folder = self.workdir / f"mixed-{'one' if cpu is not None else 'all'}"
        server, printer = mixed_load.start_office(folder, cpu)
        try:
            check_is_python(server.pid)
            result = asyncio.run(mixed_load.run_mixed(server, printer, seconds=seconds, phones=phone_count))
        finally:
            server.stop()
            printer.stop()
            ARTIFACTS.mkdir(exist_ok=True)
            _keep_log(server.log_path, ARTIFACTS / f"bench-{folder.name}-server.log")
        row.metric = row.metric.replace("50 phones", f"{phone_count} phones")
        row.value = result.value()
        row.target = (f"kiosk p95 ≤ {TAP_TARGET_MS} ms, search p95 ≤ {SEARCH_TARGET_MS} ms, "
                      f"RSS ≤ {PHONES_TARGET_MB} MB, 0 errors")
        kiosk_p95 = result.p95(result.stats.kiosk.totals)
        search_p95 = result.p95(result.stats.search_ms)
        met = (kiosk_p95 is not None and kiosk_p95 <= TAP_TARGET_MS and search_p95 is not None
               and search_p95 <= SEARCH_TARGET_MS and result.peak_kib / 1024 <= PHONES_TARGET_MB
               and not result.stats.errors)
        row.result = "OK" if met else "MISS"
        placement = f"server `taskset -c {cpu}`" if cpu is not None else "server on every core"
        row.notes = f"{placement}, bench + Chromium on core {_client_core()}; {result.notes()}"

    def _delta(self, kib: int) -> str:
        return "" if self.idle_kib is None else f" (+{(kib - self.idle_kib) / 1024:.1f} vs idle)"

    # ----------------------------------------------------------------------- run

    def run(self) -> list[Row]:
        self.run_server_rows()
        self.attempt("mixed_all", lambda row: self.mixed(row, None))
        self.attempt("mixed_one", lambda row: self.mixed(row, SERVER_CPU))
        self.run_resident_rows()
        self.run_letter_rows()
        self.run_sync_rows()
        return [row for key, row in self.rows.items() if self.selected(key)]

    def run_server_rows(self) -> None:
        server_rows = [key for key in self.rows
                       if not key.startswith(("res_", "let_", "sync_", "mixed_")) and self.selected(key)]
        if not server_rows:
            return
        try:
            _progress("starting demo server ...")
            self.start()
        except Exception as error:  # noqa: BLE001 - every server row reports the start failure
            self.errors.append(f"--- server start\n{traceback.format_exc()}")
            for key in server_rows:
                self.rows[key].fail(error)
            self.stop()
            return
        try:
            self.attempt("issue", self.issue)
            self.attempt("status", self.status)
            self.attempt("idle", self.idle)
            self.attempt("phones", self.phones)
            self.attempt("displays", self.displays)
            self.attempt("transfer", self.transfer)
            self.attempt("tap", self.tap)
            self.attempt("kiosk_bytes", self.kiosk_bytes)
        finally:
            self.stop()

    def run_resident_rows(self) -> None:
        """In this process, after the server has stopped, so nothing else competes for the core."""
        try:
            for key, _, step in self.residents.steps():
                self.attempt(key, step)
        finally:
            self.residents.close()


    def run_letter_rows(self) -> None:
        try:
            for key, _, step in self.letters.steps():
                self.attempt(key, step)
        finally:
            self.residents.close()

    def run_sync_rows(self) -> None:
        """Each builds its own village and hub in its own folder, and removes them (and any server) itself."""
        try:
            for key, _, step in self.sync.steps():
                self.attempt(key, step)
        finally:
            self.residents.close()


def only_keys(rows: dict[str, Row]) -> set[str]:
    """BENCH_ONLY as a set of row keys (empty: every row); an unknown key is a mistake worth stopping for."""
    chosen = {key.strip() for key in os.environ.get("BENCH_ONLY", "").split(",") if key.strip()}
    unknown = sorted(chosen - set(rows))
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown row key(s) {', '.join(unknown)}; known: {', '.join(rows)}")
    return chosen


def main() -> int:
    placement = _pin_client()
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="balai-bench-") as folder:
        bench = Bench(Path(folder))
        rows = bench.run()
    lines = machine_lines()
    server = (f"Balai demo server, `taskset -c {SERVER_CPU}`" if bench.server is not None
              else "No demo server (BENCH_ONLY)")
    lines.append(f"{server}; {placement}; run took {time.monotonic() - started:.0f} s")
    lines.append("Residents, letters and sync rows: in this process after the server stopped, on the client's core, "
                 "temporary SQLite databases with the product's pragmas (WAL, synchronous=FULL); the sync rows' hub, "
                 "proxy and PostgreSQL run on that core too")
    if bench.only:
        lines.append(f"BENCH_ONLY={','.join(key for key in bench.rows if key in bench.only)}: only these rows ran")
    lines.append(f"Load average (1 min) {load_before:.2f} at start, {os.getloadavg()[0]:.2f} at end: anything else "
                 f"running on this machine shows up in the latencies")
    text = "\n".join(lines) + "\n\n" + render_table(rows) + "\n"
    print(text, end="", flush=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "bench.md").write_text(text)
    if bench.errors:
        (ARTIFACTS / "bench-errors.log").write_text("\n".join(bench.errors))
        _progress(f"tracebacks in {ARTIFACTS / 'bench-errors.log'}")
    else:
        (ARTIFACTS / "bench-errors.log").unlink(missing_ok=True)
    return 0
