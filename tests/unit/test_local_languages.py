"""Local-language files: what is taken, what is refused and why, and how the kiosk's language button cycles."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.i18n import (ID, LANGUAGES, Translator, available_languages, install_local_languages, language_name,
                        next_language, remove_local_languages)
from kiosk.i18n.local import LanguageFileError, load_language_files, parse_language

BUILTIN = {"id", "en"}


def _file(strings: str, meta: str = 'code = "jv"\nname = "Basa Jawa"') -> bytes:
    return f"[language]\n{meta}\n\n[strings]\n{strings}\n".encode()


@pytest.fixture(autouse=True)
def _clean_languages() -> None:
    remove_local_languages()
    yield
    remove_local_languages()


def test_good_strings_are_taken_and_bad_ones_skipped_with_a_reason() -> None:
    language = parse_language(_file(
        '"kiosk.choose_service" = "Tutul layanan"\n'
        '"kiosk.waiting_count" = "{count} ngentosi"\n'
        '"kiosk.unknown_key" = "x"\n'
        '"kiosk.ahead" = "{count} {who} ing ngajeng"\n'
        '"kiosk.done" = "   "\n'
        '"kiosk.your_number" = "Nomer {"\n'
        '"kiosk.welcome" = "Sugeng rawuh\\u0007"\n'), ID, BUILTIN)
    assert language.code == "jv" and language.name == "Basa Jawa" and language.voice == "id"
    assert language.strings == {"kiosk.choose_service": "Tutul layanan", "kiosk.waiting_count": "{count} ngentosi"}
    reasons = dict(item.split(": ", 1) for item in language.skipped)
    assert reasons["kiosk.unknown_key"] == "unknown key"
    assert "who" in reasons["kiosk.ahead"]
    assert reasons["kiosk.done"] == "empty or not text"
    assert reasons["kiosk.your_number"] == "broken {placeholder}"
    assert "control" in reasons["kiosk.welcome"]


@pytest.mark.parametrize(("data", "message"), [
    (b"\xff\xfe not utf-8", "UTF-8 TOML"),
    (b"[language\ncode=", "UTF-8 TOML"),
    (b'[strings]\n"kiosk.done" = "Rampung"\n', "[language]"),
    (_file("", 'code = "JV"\nname = "Basa Jawa"'), "2-3 small letters"),
    (_file("", 'code = "en"\nname = "Inggris"'), "already in use"),
    (_file("", 'code = "jv"\nname = ""'), "1-40 characters"),
    (_file("", 'code = "jv"\nname = "Jawa"\nvoice = "id; rm -rf /"'), "espeak-ng voice"),
    (b'strings = 3\n[language]\ncode = "jv"\nname = "Jawa"\n', "[strings]"),
    (b"x" * 1_000_001, "larger than"),
])
def test_an_unusable_file_is_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(LanguageFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_language(data, ID, BUILTIN)


def test_loading_logs_problems_and_keeps_the_good_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    good = tmp_path / "jv.toml"
    good.write_bytes(_file('"kiosk.choose_service" = "Tutul layanan"\n"kiosk.nope" = "x"'))
    duplicate = tmp_path / "jv-again.toml"
    duplicate.write_bytes(_file('"kiosk.done" = "Rampung"'))
    broken = tmp_path / "su.toml"
    broken.write_text("[language\n", encoding="utf-8")
    missing = tmp_path / "ban.toml"
    with caplog.at_level(logging.WARNING, logger="kiosk.i18n.local"):
        loaded = load_language_files([good, duplicate, broken, missing], ID, BUILTIN)
    assert [language.code for language in loaded] == ["jv"]
    log = caplog.text
    assert "kiosk.nope: unknown key" in log
    assert "jv-again.toml not used" in log and "already in use" in log
    assert "su.toml not used" in log and "ban.toml not used" in log


def test_installed_language_falls_back_to_indonesian_and_joins_the_cycle() -> None:
    install_local_languages([parse_language(_file('"kiosk.choose_service" = "Tutul layanan"'), ID, BUILTIN)])
    assert available_languages() == ["id", "en", "jv"]
    assert language_name("jv") == "Basa Jawa" and language_name("en") == "English"
    assert [next_language(code) for code in ("id", "en", "jv", "xx")] == ["en", "jv", "id", "id"]
    t = Translator("jv")
    assert t("kiosk.choose_service") == "Tutul layanan"
    assert t("kiosk.done") == ID["kiosk.done"]
    remove_local_languages()
    assert "jv" not in LANGUAGES and Translator("jv").lang == "id"
    assert next_language("en") == "id"


def test_the_example_file_in_the_docs_is_valid_whole() -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "jv.toml"
    language = parse_language(example.read_bytes(), ID, BUILTIN)
    assert language.skipped == [] and len(language.strings) >= 10
