"""Chime and spoken-call WAV clips for the waiting-room TV, made offline with espeak-ng.

A village office often has no internet, so speech comes from the local espeak-ng binary and the
chime is synthesised here with the standard library. When espeak-ng is missing or misbehaves the
TV still gets the chime: a silent call is worse than a call without words, and a crash is worse
than both. Clips are cached on disk by content so the same call ("A 12 to loket 2") repeated
through the day costs nothing after the first time.
"""

from __future__ import annotations

import array
import functools
import hashlib
import io
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from pathlib import Path

__all__ = ["SAMPLE_RATE", "chime_wav", "CallAudio"]

logger = logging.getLogger(__name__)

SAMPLE_RATE = 22050
"""Output rate in Hz; espeak-ng's native rate, so its output normally needs no resampling."""

_CHANNELS = 1
_SAMPWIDTH = 2
_CHIME_SECONDS = 1.2
_PAUSE_SECONDS = 0.3
_ESPEAK_TIMEOUT_S = 10.0
# Bump when the chime, the pause or the clip layout changes, so old cached files are not reused.
_CACHE_VERSION = "1"


def _bell_note(out: list[float], start_s: float, freq: float, decay_s: float) -> None:
    """Add one bell-like note into `out` (in place) starting at `start_s`.

    A few partials with faster decay on the higher ones sound like a soft doorbell rather than a
    beep; the raised-cosine attack (12 ms) avoids the click a hard onset would make.
    """
    partials = ((1.0, 1.0, 1.0), (2.0, 0.35, 1.8), (3.0, 0.12, 2.6), (4.16, 0.06, 3.5))
    attack = int(0.012 * SAMPLE_RATE)
    first = int(start_s * SAMPLE_RATE)
    two_pi = 2.0 * math.pi
    for i in range(first, len(out)):
        t = (i - first) / SAMPLE_RATE
        env = 0.5 - 0.5 * math.cos(math.pi * (i - first) / attack) if i - first < attack else 1.0
        value = 0.0
        for ratio, amp, decay_speed in partials:
            value += amp * math.exp(-t * decay_speed / decay_s) * math.sin(two_pi * freq * ratio * t)
        out[i] += env * value


@functools.lru_cache(maxsize=1)
def _chime_samples() -> tuple[int, ...]:
    """The chime as 16-bit samples; computed once per process because it never changes."""
    n = int(_CHIME_SECONDS * SAMPLE_RATE)
    mix = [0.0] * n
    _bell_note(mix, 0.0, 659.25, 0.35)  # "ding": E5
    _bell_note(mix, 0.42, 523.25, 0.45)  # "dong": C5, a major third below
    fade = int(0.15 * SAMPLE_RATE)  # let the tail reach exact silence: no click at the cut
    for k in range(fade):
        mix[n - fade + k] *= 0.5 + 0.5 * math.cos(math.pi * k / fade)
    peak = max(abs(v) for v in mix) or 1.0
    scale = 0.55 * 32767 / peak  # headroom, and roughly as loud as espeak-ng's speech
    return tuple(int(round(v * scale)) for v in mix)


def _wav_bytes(samples: array.array) -> bytes:
    """Wrap 16-bit mono samples in a WAV container in memory."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(_CHANNELS)
        w.setsampwidth(_SAMPWIDTH)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


def chime_wav() -> bytes:
    """A soft two-tone "ding-dong" (1.2 s, 22050 Hz mono 16-bit) as a complete WAV file.

    Made with the standard library so the appliance needs no sound files or numpy, and so the
    TV has something to play even when no speech engine is installed.
    """
    return _wav_bytes(array.array("h", _chime_samples()))


def _to_mono16(frames: bytes, nchannels: int, sampwidth: int) -> array.array:
    """Convert raw WAV frames of any common PCM width/channel count to 16-bit mono samples.

    espeak-ng writes 16-bit mono today, but MBROLA voices or other builds may not; mixing the
    channels down and rescaling keeps the clip playable instead of garbled.
    """
    if sampwidth == 2:
        raw = array.array("h")
        raw.frombytes(frames[: len(frames) - len(frames) % 2])
        values: list[int] | array.array = raw
    elif sampwidth == 1:  # 8-bit WAV is unsigned
        values = [(b - 128) << 8 for b in frames]
    elif sampwidth in (3, 4):
        shift = 8 * (sampwidth - 2)
        usable = len(frames) - len(frames) % sampwidth
        values = [
            int.from_bytes(frames[i : i + sampwidth], sys.byteorder, signed=True) >> shift
            for i in range(0, usable, sampwidth)
        ]
    else:
        raise ValueError(f"unsupported WAV sample width {sampwidth}")
    if nchannels == 1:
        return values if isinstance(values, array.array) else array.array("h", values)
    count = len(values) // nchannels
    return array.array(
        "h",
        (sum(values[i * nchannels : (i + 1) * nchannels]) // nchannels for i in range(count)),
    )


def _resample(samples: array.array, src_rate: int, dst_rate: int) -> array.array:
    """Linear-interpolation resampling; good enough for speech and needs no third-party code."""
    if src_rate == dst_rate or len(samples) < 2:
        return samples
    out_len = max(1, int(len(samples) * dst_rate / src_rate))
    step = src_rate / dst_rate
    last = len(samples) - 1
    out = array.array("h", bytes(2 * out_len))
    for i in range(out_len):
        pos = i * step
        j = int(pos)
        if j >= last:
            out[i] = samples[last]
            continue
        frac = pos - j
        out[i] = int(round(samples[j] + (samples[j + 1] - samples[j]) * frac))
    return out


def _soften_edges(samples: array.array, seconds: float = 0.005) -> None:
    """Ramp the first and last few milliseconds (in place): espeak-ng's output does not always start
    and end at zero, and the jump from the pause would be an audible tick."""
    ramp = min(int(seconds * SAMPLE_RATE), len(samples) // 2)
    for k in range(ramp):
        gain = k / ramp
        samples[k] = int(samples[k] * gain)
        samples[-1 - k] = int(samples[-1 - k] * gain)


def _read_wav_as_mono16(path: Path) -> array.array:
    """Read any PCM WAV and return it at SAMPLE_RATE, 16-bit mono, ready to append to the chime."""
    with wave.open(str(path), "rb") as w:
        nchannels, sampwidth, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        # espeak-ng streaming to a pipe leaves a huge placeholder frame count; read what is there.
        frames = w.readframes(w.getnframes())
    samples = _to_mono16(frames, nchannels, sampwidth)
    return _resample(samples, rate, SAMPLE_RATE)


def _write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` via a temp file in the same folder and os.replace.

    A TV page (or another thread) fetching the clip must never see a half-written file.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o644)  # mkstemp makes 0600; let a front web server read it too
            fh.write(data)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise


class CallAudio:
    """Makes and caches "chime + pause + spoken call" WAV clips in `cache_dir`.

    One instance is meant to be shared by the whole server; every method is thread-safe. The
    espeak-ng binary is looked up once, at construction, so `available()` is cheap.
    """

    def __init__(
        self,
        cache_dir: Path,
        espeak_path: str | None = None,
        voice: str = "id",
        speed: int = 150,
    ) -> None:
        """Remember the settings; nothing touches the disk until a clip is asked for."""
        self.cache_dir = Path(cache_dir)
        self.voice = voice
        self.speed = int(speed)
        # shutil.which accepts a full path too and returns None if it is not an executable file.
        self.espeak_path: str | None = shutil.which(espeak_path if espeak_path else "espeak-ng")
        self._guard = threading.Lock()
        # A fixed set of striped locks: bounded memory however many distinct calls a year brings.
        self._key_locks: tuple[threading.Lock, ...] = tuple(threading.Lock() for _ in range(16))
        self._warned = False

    def available(self) -> bool:
        """Whether an executable espeak-ng was found, i.e. whether calls will have words."""
        return self.espeak_path is not None

    def chime_path(self) -> Path:
        """The chime-only WAV in the cache, written on first use (raises OSError if unwritable)."""
        path = self.cache_dir / f"chime-v{_CACHE_VERSION}.wav"
        if path.is_file():
            return path
        with self._lock_for(path.name):
            if not path.is_file():
                _write_atomically(path, chime_wav())
        return path

    def clip_for(self, text: str) -> Path | None:
        """The clip for `text`: chime, a short pause, then espeak-ng speaking it.

        Falls back to the chime-only WAV if espeak-ng is missing, fails or hangs (warning logged
        once per instance). Returns None only if not even the chime could be written, e.g. the
        cache folder is read-only, so the caller can still show the caption silently.
        """
        if not text.strip():
            return self._chime_or_none()
        if not self.available():
            self._warn(f"espeak-ng not found; calls will play the chime only (text: {text!r})")
            return self._chime_or_none()
        return self._make(text, chime=True) or self._chime_or_none()

    def speech_for(self, text: str) -> Path | None:
        """The words alone, without the chime: the kiosk's spoken guidance ("Masukkan NIK Anda").

        None when there is nothing to say or espeak-ng is missing or fails; guidance is a help, and a
        chime in its place would only puzzle the person at the screen."""
        if not text.strip() or not self.available():
            return None
        return self._make(text, chime=False)

    def _make(self, text: str, *, chime: bool) -> Path | None:
        """Speak `text` into a cached WAV (with the chime in front when asked); None if speech failed."""
        path = self.cache_dir / f"{'call' if chime else 'say'}-{self._cache_key(text)}.wav"
        if path.is_file():
            return path
        with self._lock_for(path.name):
            if path.is_file():  # another thread made it while we waited
                return path
            speech = self._speak(text)
            if speech is None:
                return None
            clip = array.array("h")
            if chime:
                clip.extend(_chime_samples())
                clip.extend(array.array("h", bytes(2 * int(_PAUSE_SECONDS * SAMPLE_RATE))))
            _soften_edges(speech)
            clip.extend(speech)
            try:
                _write_atomically(path, _wav_bytes(clip))
            except OSError as exc:
                logger.error("cannot write audio clip %s: %s", path, exc)
                return None  # e.g. disk full; a call still gets the chime that is already there
        return path

    def _cache_key(self, text: str) -> str:
        """sha256 over (version, text, voice, speed): any change in what would be heard changes the name."""
        material = json.dumps([_CACHE_VERSION, text, self.voice, self.speed], ensure_ascii=False)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def _lock_for(self, name: str) -> threading.Lock:
        """The lock guarding one cache file, so two threads never run espeak-ng for the same text at
        once while (mostly) different texts are still made in parallel."""
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        return self._key_locks[digest[0] % len(self._key_locks)]

    def _speak(self, text: str) -> array.array | None:
        """Run espeak-ng into a temp WAV and return its samples, or None (with a warning) on failure."""
        assert self.espeak_path is not None
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self.cache_dir, prefix=".espeak-", suffix=".wav")
            os.close(fd)
        except OSError as exc:
            logger.error("cannot use cache folder %s: %s", self.cache_dir, exc)
            return None
        tmp = Path(tmp_name)
        try:
            # "--" ends the options, so a text starting with "-" is spoken, not parsed as a flag.
            cmd = [self.espeak_path, "-v", self.voice, "-s", str(self.speed), "-w", tmp_name, "--", text]
            try:
                result = subprocess.run(
                    cmd,
                    timeout=_ESPEAK_TIMEOUT_S,
                    check=False,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                )
            except subprocess.TimeoutExpired:
                self._warn(f"espeak-ng timed out after {_ESPEAK_TIMEOUT_S:.0f} s; playing the chime only")
                return None
            except OSError as exc:
                self._warn(f"espeak-ng could not be started ({exc}); playing the chime only")
                return None
            if result.returncode != 0:
                stderr = (result.stderr or b"").decode("utf-8", "replace").strip()[:300]
                self._warn(
                    f"espeak-ng exited with {result.returncode} ({stderr or 'no message'}); "
                    "playing the chime only"
                )
                return None
            try:
                samples = _read_wav_as_mono16(tmp)
            except (OSError, EOFError, wave.Error, ValueError) as exc:
                self._warn(f"espeak-ng wrote an unreadable WAV ({exc}); playing the chime only")
                return None
            if len(samples) == 0:
                self._warn("espeak-ng produced no audio; playing the chime only")
                return None
            return samples
        finally:
            try:
                tmp.unlink()
            except OSError:
                pass

    def _chime_or_none(self) -> Path | None:
        """The chime-only fallback, or None if even that cannot be written."""
        try:
            return self.chime_path()
        except OSError as exc:
            logger.error("cannot write chime to %s: %s", self.cache_dir, exc)
            return None

    def _warn(self, message: str) -> None:
        """Log the first speech problem as a warning and later ones at debug level, so a TV calling
        hundreds of tickets a day without espeak-ng does not flood the log."""
        with self._guard:
            first = not self._warned
            self._warned = True
        if first:
            logger.warning(message)
        else:
            logger.debug(message)
