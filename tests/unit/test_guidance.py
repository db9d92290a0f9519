"""Spoken guidance: the sentences are real speech made offline by espeak-ng, cached, and never a chime."""

from __future__ import annotations

import os
import wave
from pathlib import Path

import pytest

from kiosk.announce.guidance import Guidance, spoken_number
from kiosk.i18n import ID

ESPEAK = Path("/usr/bin/espeak-ng")


@pytest.fixture
def guidance(tmp_path: Path) -> Guidance:
    speaker = Guidance(tmp_path / "audio")
    if not speaker.available():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("espeak-ng is missing (scripts/system-deps.sh installs it)")
        pytest.skip("espeak-ng is not installed")
    return speaker


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as clip:
        return clip.getnframes() / clip.getframerate()


def test_a_sentence_is_speech_without_the_chime_and_cached(guidance: Guidance) -> None:
    clip = guidance.clip("nik", "id")
    assert clip is not None and clip.name.startswith("say-")
    assert _seconds(clip) > 2.0  # "Masukkan NIK Anda, enam belas angka, ..." is a long sentence
    stamp = clip.stat().st_mtime_ns
    assert guidance.clip("nik", "id") == clip and clip.stat().st_mtime_ns == stamp
    english = guidance.clip("nik", "en")
    assert english is not None and english != clip


def test_a_number_goes_into_the_sentence(guidance: Guidance) -> None:
    one = guidance.clip("ticket", "id", number=spoken_number("A", 12, "id"))
    two = guidance.clip("ticket", "id", number=spoken_number("A", 13, "id"))
    assert one is not None and two is not None and one != two


def test_prepare_makes_every_fixed_sentence(guidance: Guidance, tmp_path: Path) -> None:
    fixed = [key for key, text in ID.items() if key.startswith("voice.") and "{" not in text]
    assert len(fixed) >= 10
    assert guidance.prepare(["id"]) == len(fixed)
    assert len(list((tmp_path / "audio").glob("say-*.wav"))) == len(fixed)


def test_without_espeak_there_is_no_voice_and_no_chime(tmp_path: Path) -> None:
    silent = Guidance(tmp_path / "audio", espeak_path=str(tmp_path / "no-espeak-here"))
    assert not silent.available()
    assert silent.clip("home", "id") is None
    assert silent.prepare() == 0
    assert not (tmp_path / "audio").exists() or not any((tmp_path / "audio").iterdir())


def test_a_language_without_a_voice_speaks_indonesian(guidance: Guidance) -> None:
    assert guidance.clip("home", "jv") == guidance.clip("home", "id")


def test_spoken_numbers() -> None:
    assert spoken_number("A", 12, "id") == "a dua belas"
    assert spoken_number("B", 105, "id") == "be seratus lima"
    assert spoken_number("A", 12, "en") == "A 12"
    assert spoken_number("", 7, "id") == "tujuh"
