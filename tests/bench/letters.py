"""Letters rows, measured in this process on a temporary demo office (no server):

- render + sign: one request waiting for signature → number, seal, PDF (WeasyPrint) written and committed,
  exactly what the signer's button does; warm (after a few untimed signings), p95 over LETTERS runs;
- verify on the server: one QR → seal check + letter-book lookup (what /v/ and the API do), p95;
- verify offline: the seal alone with the public key (what `balai verify` does), p95.

Targets from the letters issue: render + sign ≤ 300 ms warm, verification ≤ 5 ms per QR (the shared
benchmarks.md gives the incumbent's 778 ms for one letter from form to PDF).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from tests.bench.report import Row, percentile, verdict

LETTERS = 60
WARMUP = 5
VERIFY_RUNS = 2000
SIGN_TARGET_MS, VERIFY_TARGET_MS = 300.0, 5.0


def _summary(times: list[float]) -> str:
    return f"p50 {percentile(times, 50):.1f} / p95 {percentile(times, 95):.1f} / max {max(times):.1f} ms"


class LetterBench:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.qrs: list[str] = []
        self.options = None

    def steps(self) -> list[tuple[str, str, Callable[[Row], None]]]:
        return [
            ("let_sign", "Letter render + sign (number, seal, PDF, commit)", self.sign),
            ("let_verify", "Letter verify, QR → seal + letter book", self.verify),
            ("let_verify_offline", "Letter verify offline, seal only", self.verify_offline),
        ]

    def _setup(self) -> None:
        from kiosk.app import prepare_database
        from kiosk.data import data_path
        from kiosk.db import close_database
        from kiosk.services import accounts, letter_types
        from kiosk.services.demo import seed_demo
        from kiosk.services.letter_signing import options_from_settings, publish_public_key
        from kiosk.settings import load_settings

        close_database()
        folder = Path(tempfile.mkdtemp(prefix="letters-", dir=self.workdir))
        settings = load_settings(environ={}, overrides={"data_dir": folder})
        prepare_database(settings)
        shutil.copyfile(data_path("demo_logo.png"), folder / "logo.png")
        seed_demo(population=True)
        letter_types.install_builtins()
        accounts.create_user("kades", "Rahasia-Kades-2026", "signer", full_name="H. Asep Saepudin")
        self.options = options_from_settings(settings, "http://192.168.1.10:8080")
        publish_public_key(self.options.key)

    def sign(self, row: Row) -> None:
        from kiosk.models import Penduduk
        from kiosk.services import letter_requests, letter_signing, letter_types
        from tests.support.letter_answers import sample_answers

        self._setup()
        kind = next(t for t in letter_types.list_types() if t.name == "Surat Keterangan Domisili")
        answers = sample_answers([spec.to_dict() for spec in kind.fields])
        people = [p.id for p in Penduduk.select(Penduduk.id).where(Penduduk.status_dasar == 1).limit(WARMUP + LETTERS)]
        ids = [letter_requests.create_request(kind.code, person, answers, channel="operator", actor="bench",
                                              checked=True).id for person in people]
        times = []
        for index, request_id in enumerate(ids):
            started = time.perf_counter()
            signed = letter_signing.sign(request_id, signer="kades", options=self.options)
            elapsed = (time.perf_counter() - started) * 1000
            self.qrs.append(signed.qr)
            if index >= WARMUP:
                times.append(elapsed)
        p95 = percentile(times, 95)
        row.value = f"p95 {p95:.0f} ms"
        row.target = f"≤ {SIGN_TARGET_MS:.0f} ms"
        row.result = verdict(p95, SIGN_TARGET_MS)
        row.notes = f"{LETTERS} letters ({kind.code}, F4, with logo) after {WARMUP} warm-up; {_summary(times)}"

    def verify(self, row: Row) -> None:
        from kiosk.services.letter_verify import verify_qr

        if not self.qrs:
            raise RuntimeError("no signed letters (the signing row failed)")
        public = self.options.key.public_key()
        times = []
        for index in range(VERIFY_RUNS):
            qr = self.qrs[index % len(self.qrs)]
            started = time.perf_counter()
            result = verify_qr(qr, public)
            times.append((time.perf_counter() - started) * 1000)
            if not result.valid:
                raise RuntimeError(f"a fresh letter did not verify: {result.reason}")
        p95 = percentile(times, 95)
        row.value = f"p95 {p95:.2f} ms"
        row.target = f"≤ {VERIFY_TARGET_MS:.0f} ms"
        row.result = verdict(p95, VERIFY_TARGET_MS)
        row.notes = f"{VERIFY_RUNS} checks over {len(self.qrs)} letters; {_summary(times)}"

    def verify_offline(self, row: Row) -> None:
        from kiosk.db import close_database
        from kiosk.seal import digits, read_seal
        from kiosk.services import village

        code = digits(village.get_village().code)
        keys = {code: self.options.key.public_key()}
        times = []
        for index in range(VERIFY_RUNS):
            started = time.perf_counter()
            reading = read_seal(self.qrs[index % len(self.qrs)], keys)
            times.append((time.perf_counter() - started) * 1000)
            assert reading.valid
        close_database()
        p95 = percentile(times, 95)
        row.value = f"p95 {p95:.3f} ms"
        row.target = f"≤ {VERIFY_TARGET_MS:.0f} ms"
        row.result = verdict(p95, VERIFY_TARGET_MS)
        row.notes = f"Ed25519 verify + decode; {_summary(times)}"
