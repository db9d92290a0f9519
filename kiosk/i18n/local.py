"""Local languages (Basa Jawa, Basa Sunda, …) loaded from a TOML file the office writes itself.

A village may want its kiosk to greet residents in the language they speak at home. Nobody here can ship
every regional language, so an office (or the district) writes a file of the strings it wants and names it
in the `language_files` setting. Only strings that exist in the Indonesian table are taken, and only when
their `{placeholders}` are ones the Indonesian text has; anything missing falls back to Indonesian, so a
half-translated file still gives a working kiosk. A broken file is reported in the log and skipped: a typo
in a translation must never keep the office from opening.

File format::

    [language]
    code = "jv"              # 2-3 small letters, not id or en
    name = "Basa Jawa"       # shown on the language button
    voice = "id"             # optional espeak-ng voice for spoken guidance (default: Indonesian)

    [strings]
    "kiosk.choose_service" = "Tutul layanan ingkang panjenengan betahaken"
"""

from __future__ import annotations

import logging
import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

CODE_PATTERN = re.compile(r"^[a-z]{2,3}$")
MAX_FILE_BYTES = 1_000_000
MAX_STRING_CHARS = 2_000


class LanguageFileError(ValueError):
    """The file cannot be used at all (unreadable, not TOML, no valid [language] table)."""


@dataclass(frozen=True)
class LocalLanguage:
    code: str
    name: str
    voice: str
    strings: dict[str, str]
    skipped: list[str] = field(default_factory=list)  # "key: reason", for the log


def _fields(text: str) -> set[str] | None:
    """The named `{fields}` of a format string, or None when it is not a valid format string."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def parse_language(data: bytes, reference: dict[str, str], builtin: set[str]) -> LocalLanguage:
    """Check a language file against the Indonesian table `reference`; `builtin` are codes already taken."""
    if len(data) > MAX_FILE_BYTES:
        raise LanguageFileError(f"file larger than {MAX_FILE_BYTES // 1000} kB")
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise LanguageFileError(f"not a UTF-8 TOML file: {error}") from error
    meta = table.get("language")
    if not isinstance(meta, dict):
        raise LanguageFileError("missing [language] table with code and name")
    code, name = str(meta.get("code", "")).strip(), str(meta.get("name", "")).strip()
    if not CODE_PATTERN.match(code):
        raise LanguageFileError(f"language code {code!r} must be 2-3 small letters (e.g. jv, su, ban)")
    if code in builtin:
        raise LanguageFileError(f"language code {code!r} is already in use")
    if not name or len(name) > 40:
        raise LanguageFileError("language name must be 1-40 characters")
    voice = str(meta.get("voice", "id")).strip() or "id"
    if not re.fullmatch(r"[A-Za-z0-9_+-]{1,40}", voice):
        raise LanguageFileError(f"voice {voice!r} is not an espeak-ng voice name")
    raw = table.get("strings", {})
    if not isinstance(raw, dict):
        raise LanguageFileError("[strings] must be a table of key = \"text\"")
    strings: dict[str, str] = {}
    skipped: list[str] = []
    for key, text in raw.items():
        problem = _string_problem(key, text, reference)
        if problem:
            skipped.append(f"{key}: {problem}")
        else:
            strings[key] = text
    return LocalLanguage(code, name, voice, strings, skipped)


def _string_problem(key: str, text: object, reference: dict[str, str]) -> str:
    if key not in reference:
        return "unknown key"
    if not isinstance(text, str) or not text.strip():
        return "empty or not text"
    if len(text) > MAX_STRING_CHARS or any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        return "too long or holds control characters"
    fields, allowed = _fields(text), _fields(reference[key]) or set()
    if fields is None:
        return "broken {placeholder}"
    if not fields <= allowed:
        return f"placeholders {sorted(fields - allowed)} are not in the Indonesian text"
    return ""


def load_language_files(paths: list[Path], reference: dict[str, str], builtin: set[str]) -> list[LocalLanguage]:
    """Every usable language among `paths`, in order; problems are logged, never raised."""
    loaded: list[LocalLanguage] = []
    taken = set(builtin)
    for path in paths:
        try:
            language = parse_language(Path(path).read_bytes(), reference, taken)
        except (OSError, LanguageFileError) as error:
            log.error("language file %s not used: %s", path, error)
            continue
        for problem in language.skipped:
            log.warning("language file %s: string %s ignored", path, problem)
        log.info("language %s (%s) loaded from %s: %d strings", language.code, language.name, path,
                 len(language.strings))
        taken.add(language.code)
        loaded.append(language)
    return loaded
