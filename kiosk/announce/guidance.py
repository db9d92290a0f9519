"""Spoken guidance for the touch kiosk: one short sentence per screen, in the kiosk's language.

Many residents who come to the office read slowly or not at all; a voice saying "Masukkan NIK Anda
dengan tombol angka" helps more than any icon. The sentences are the `voice.*` keys of the translation
table, spoken by espeak-ng on this machine (no internet) and cached as WAV files. The fixed ones are made
once in the background when the server starts (`prepare`), so the first resident who turns the voice on
hears it at once; the few with a number in them ("Nomor antrian Anda A dua belas") are made on demand in
about a tenth of a second.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from kiosk.announce.audio import CallAudio
from kiosk.announce.words import letter_name, number_to_words
from kiosk.i18n import LANGUAGES, translate

log = logging.getLogger(__name__)

VOICE_PREFIX = "voice."
# espeak-ng voices per interface language; a local language without its own voice speaks Indonesian.
DEFAULT_VOICES = {"id": "id", "en": "en"}


class Guidance:
    """Makes (and caches) the guidance clips; thread-safe like the CallAudio instances it holds."""

    def __init__(self, cache_dir: Path, voices: Mapping[str, str] | None = None,
                 espeak_path: str | None = None) -> None:
        voices = {**DEFAULT_VOICES, **(voices or {})}
        self._speakers = {lang: CallAudio(cache_dir, espeak_path=espeak_path, voice=voice)
                          for lang, voice in voices.items()}

    def available(self) -> bool:
        """Whether espeak-ng exists here: without it the kiosk hides the voice switch."""
        return self._speakers["id"].available()

    def clip(self, key: str, lang: str, **params: Any) -> Path | None:
        """The clip saying `voice.<key>` in `lang` (Indonesian words when the language has no voice)."""
        speaker = self._speakers.get(lang)
        if speaker is None:
            speaker, lang = self._speakers["id"], "id"
        return speaker.speech_for(translate(VOICE_PREFIX + key, lang, **params))

    def prepare(self, languages: list[str] | None = None) -> int:
        """Make every fixed sentence (no `{…}` in it) ahead of time; returns how many clips exist."""
        made = 0
        for lang in languages or list(self._speakers):
            for key, text in LANGUAGES.get(lang, {}).items():
                if key.startswith(VOICE_PREFIX) and "{" not in text:
                    if self.clip(key[len(VOICE_PREFIX):], lang) is not None:
                        made += 1
        return made


def spoken_number(prefix: str, seq: int, lang: str) -> str:
    """A ticket number for the voice: ("A", 12) -> "a dua belas" in Indonesian, as the TV's call says it;
    "A 12" in English, which espeak-ng's English voice reads well."""
    if lang == "en":
        return f"{prefix} {seq}".strip()
    letters = " ".join(letter_name(ch) for ch in prefix if ch.isalpha())
    return f"{letters} {number_to_words(seq)}".strip()
