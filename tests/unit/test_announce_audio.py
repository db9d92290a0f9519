"""Chime synthesis and espeak-ng call clips, including every way espeak-ng can be missing or fail."""

from __future__ import annotations

import io
import logging
import os
import shutil
import stat
import subprocess
import sys
import threading
import wave
from pathlib import Path
from typing import Any, Callable

import pytest

from kiosk.announce import audio
from kiosk.announce.audio import SAMPLE_RATE, CallAudio, chime_wav

CALL = "Nomor antrian a dua belas, silakan menuju loket dua"


def _params(data_or_path: bytes | Path) -> tuple[int, int, int, float]:
    """(channels, sample width, rate, seconds) of a WAV; raises wave.Error if it is not one."""
    src = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else str(data_or_path)
    with wave.open(src, "rb") as w:
        return w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes() / w.getframerate()


def _samples(path: Path) -> list[int]:
    """All 16-bit samples of a mono WAV file."""
    with wave.open(str(path), "rb") as w:
        frames = w.readframes(w.getnframes())
    return [int.from_bytes(frames[i : i + 2], "little", signed=True) for i in range(0, len(frames), 2)]


def _script(tmp_path: Path, name: str, body: str) -> Path:
    """Write an executable stand-in for espeak-ng."""
    path = tmp_path / name
    path.write_text(body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def _count_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Wrap subprocess.run so tests can see how often espeak-ng was started, and with what."""
    calls: list[list[str]] = []
    lock = threading.Lock()
    real_run: Callable[..., Any] = subprocess.run

    def counting_run(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        with lock:
            calls.append(list(cmd))
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(audio.subprocess, "run", counting_run)
    return calls


def _require_espeak() -> str:
    """Path of the real espeak-ng; on CI its absence fails the calling test, elsewhere skips it.

    Called from the test body rather than a fixture so CI reports a FAILED test, not an error.
    """
    path = shutil.which("espeak-ng")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is not installed on CI: the image must apt-get install espeak-ng")
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng to run this test)")
    return path


def test_chime_is_a_valid_wav_of_plausible_duration() -> None:
    """22050 Hz mono 16-bit, about 1.2 s, loud enough to hear but with headroom."""
    data = chime_wav()
    channels, width, rate, seconds = _params(data)
    assert (channels, width, rate) == (1, 2, SAMPLE_RATE)
    assert 1.0 <= seconds <= 1.5


def test_chime_has_soft_edges(tmp_path: Path) -> None:
    """Starts and ends near silence, so neither the start nor the cut clicks."""
    path = tmp_path / "chime.wav"
    path.write_bytes(chime_wav())
    samples = _samples(path)
    peak = max(abs(s) for s in samples)
    assert 0.3 * 32767 < peak < 0.9 * 32767
    assert abs(samples[0]) < 0.01 * 32767
    assert max(abs(s) for s in samples[-20:]) < 0.005 * 32767
    # the attack ramps up instead of jumping: first millisecond stays quiet
    assert max(abs(s) for s in samples[:22]) < 0.1 * peak


def test_chime_path_is_cached(tmp_path: Path) -> None:
    """chime_path() writes the chime once and keeps returning the same file."""
    ca = CallAudio(tmp_path / "cache", espeak_path=str(tmp_path / "missing"))
    first = ca.chime_path()
    assert first.read_bytes() == chime_wav()
    mtime = first.stat().st_mtime_ns
    assert ca.chime_path() == first
    assert first.stat().st_mtime_ns == mtime


def test_clip_with_real_espeak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chime + pause + speech, longer than the chime, then served from cache without espeak-ng."""
    espeak_ng = _require_espeak()
    ca = CallAudio(tmp_path / "cache")
    assert ca.available()
    assert ca.espeak_path == espeak_ng
    calls = _count_runs(monkeypatch)

    clip = ca.clip_for(CALL)
    assert clip is not None and clip.is_file()
    assert len(calls) == 1
    assert calls[0][:5] == [espeak_ng, "-v", "id", "-s", "150"]
    channels, width, rate, seconds = _params(clip)
    assert (channels, width, rate) == (1, 2, SAMPLE_RATE)
    chime_seconds = _params(chime_wav())[3]
    assert seconds > chime_seconds + 1.0  # the sentence itself takes a few seconds
    samples = _samples(clip)
    speech_start = round((chime_seconds + 0.3) * SAMPLE_RATE)
    assert max(abs(s) for s in samples[round(chime_seconds * SAMPLE_RATE) : speech_start]) == 0  # the pause
    assert samples[speech_start] == 0 and samples[-1] == 0  # speech edges ramped: no tick
    assert max(abs(s) for s in samples[speech_start:]) > 0.2 * 32767  # and there is speech

    again = ca.clip_for(CALL)
    assert again == clip
    assert len(calls) == 1  # cached: espeak-ng not started again

    fresh = CallAudio(tmp_path / "cache")  # e.g. after a server restart
    assert fresh.clip_for(CALL) == clip
    assert len(calls) == 1

    # no temp files left behind in the cache folder
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [clip.name]


def test_cache_key_depends_on_voice_and_speed(tmp_path: Path) -> None:
    """Changing what would be heard must not reuse an old clip."""
    a = CallAudio(tmp_path, espeak_path="/nonexistent")._cache_key(CALL)
    assert a == CallAudio(tmp_path, espeak_path="/nonexistent")._cache_key(CALL)
    assert a != CallAudio(tmp_path, espeak_path="/nonexistent", voice="ms")._cache_key(CALL)
    assert a != CallAudio(tmp_path, espeak_path="/nonexistent", speed=140)._cache_key(CALL)
    assert a != CallAudio(tmp_path, espeak_path="/nonexistent")._cache_key(CALL + ".")


def _assert_chime_only(ca: CallAudio, clip: Path | None) -> None:
    """The fallback is the cached chime-only WAV."""
    assert clip is not None
    assert clip == ca.chime_path()
    assert clip.read_bytes() == chime_wav()


def test_missing_espeak_falls_back_to_chime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A nonexistent espeak path: no exception, chime only, one warning however many calls."""
    ca = CallAudio(tmp_path / "cache", espeak_path=str(tmp_path / "no-such-espeak"))
    assert not ca.available()
    calls = _count_runs(monkeypatch)
    with caplog.at_level(logging.DEBUG, logger=audio.__name__):
        first = ca.clip_for(CALL)
        second = ca.clip_for("Nomor antrian be satu, silakan menuju loket satu")
    _assert_chime_only(ca, first)
    assert second == first
    assert calls == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "espeak-ng" in warnings[0].getMessage()


def test_failing_espeak_falls_back_to_chime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An espeak-ng that exits 1 (e.g. voice missing): chime only, warning logged once."""
    fake = _script(tmp_path, "espeak-fail", "#!/bin/sh\necho 'voice not found' >&2\nexit 1\n")
    ca = CallAudio(tmp_path / "cache", espeak_path=str(fake))
    assert ca.available()
    calls = _count_runs(monkeypatch)
    with caplog.at_level(logging.DEBUG, logger=audio.__name__):
        clip = ca.clip_for(CALL)
        ca.clip_for(CALL)
    _assert_chime_only(ca, clip)
    assert len(calls) == 2  # a failure is not cached: espeak-ng may work again later
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "exited with 1" in warnings[0].getMessage() and "voice not found" in warnings[0].getMessage()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [clip.name]  # no temp files left


def test_timeout_falls_back_to_chime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hung espeak-ng is cut off at 10 s (simulated here) and the chime is used."""
    fake = _script(tmp_path, "espeak-hang", "#!/bin/sh\nsleep 60\n")
    seen: dict[str, Any] = {}

    def fake_run(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        raise subprocess.TimeoutExpired(cmd, kwargs["timeout"])

    monkeypatch.setattr(audio.subprocess, "run", fake_run)
    ca = CallAudio(tmp_path / "cache", espeak_path=str(fake))
    _assert_chime_only(ca, ca.clip_for(CALL))
    assert seen["timeout"] == 10
    assert seen.get("shell", False) is False


def test_garbage_output_falls_back_to_chime(tmp_path: Path) -> None:
    """espeak-ng exiting 0 but writing something that is not a WAV is treated as a failure."""
    fake = _script(
        tmp_path,
        "espeak-garbage",
        f"#!{sys.executable}\nimport sys\nargs = sys.argv\n"
        "open(args[args.index('-w') + 1], 'wb').write(b'not a wav')\n",
    )
    ca = CallAudio(tmp_path / "cache", espeak_path=str(fake))
    _assert_chime_only(ca, ca.clip_for(CALL))


def test_other_formats_are_converted(tmp_path: Path) -> None:
    """A voice writing 16 kHz stereo 8-bit (e.g. MBROLA) is converted to the chime's format."""
    fake = _script(
        tmp_path,
        "espeak-16k",
        f"#!{sys.executable}\n"
        "import math, sys, wave\n"
        "out = sys.argv[sys.argv.index('-w') + 1]\n"
        "with wave.open(out, 'wb') as w:\n"
        "    w.setnchannels(2); w.setsampwidth(1); w.setframerate(16000)\n"
        "    w.writeframes(bytes(int(128 + 100 * math.sin(i / 5)) for i in range(16000) for _ in (0, 1)))\n",
    )
    ca = CallAudio(tmp_path / "cache", espeak_path=str(fake))
    clip = ca.clip_for(CALL)
    assert clip is not None and clip != ca.chime_path()
    channels, width, rate, seconds = _params(clip)
    assert (channels, width, rate) == (1, 2, SAMPLE_RATE)
    expected = _params(chime_wav())[3] + 0.3 + 1.0
    assert abs(seconds - expected) < 0.01
    tail = _samples(clip)[-SAMPLE_RATE // 2 :]
    assert 0.6 * 100 * 256 < max(tail) < 1.1 * 100 * 256  # the tone survived, scaled to 16 bit


def test_concurrent_calls_run_espeak_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many TV requests for the same call at once: one espeak-ng run, one file, no errors."""
    fake = _script(
        tmp_path,
        "espeak-slow",
        f"#!{sys.executable}\n"
        "import sys, time, wave\n"
        "time.sleep(0.2)\n"
        "with wave.open(sys.argv[sys.argv.index('-w') + 1], 'wb') as w:\n"
        "    w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)\n"
        "    w.writeframes(b'\\x10\\x00' * 22050)\n",
    )
    ca = CallAudio(tmp_path / "cache", espeak_path=str(fake))
    calls = _count_runs(monkeypatch)
    results: list[Path | None] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(text: str) -> None:
        try:
            path = ca.clip_for(text)
            with lock:
                results.append(path)
        except BaseException as exc:  # noqa: BLE001 - the test reports any exception
            with lock:
                errors.append(exc)

    texts = [CALL] * 8 + ["Nomor antrian be satu, silakan menuju loket satu"] * 4
    threads = [threading.Thread(target=worker, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(results) == len(texts)
    assert len(set(results)) == 2
    assert len(calls) == 2  # once per distinct text
    for path in set(results):
        assert path is not None
        assert _params(path)[:3] == (1, 2, SAMPLE_RATE)


def test_text_starting_with_dash_is_not_an_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The text goes after "--", so it can never be taken for an espeak-ng flag."""
    fake = _script(tmp_path, "espeak-fail", "#!/bin/sh\nexit 1\n")
    calls = _count_runs(monkeypatch)
    CallAudio(tmp_path / "cache", espeak_path=str(fake)).clip_for("-v xx")
    assert calls[0][-2:] == ["--", "-v xx"]


def test_empty_text_is_just_the_chime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing to say: play the chime, do not start espeak-ng."""
    calls = _count_runs(monkeypatch)
    ca = CallAudio(tmp_path / "cache", espeak_path=str(tmp_path / "missing"))
    _assert_chime_only(ca, ca.clip_for("   "))
    assert calls == []


def test_unwritable_cache_returns_none(tmp_path: Path) -> None:
    """If not even the chime can be written, clip_for returns None instead of raising."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    ca = CallAudio(blocker / "cache", espeak_path=str(tmp_path / "missing"))
    assert ca.clip_for(CALL) is None
