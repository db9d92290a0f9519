"""The built-in letter types in kiosk/data/letter_types: every definition is valid, every body renders with
realistic answers (and with the optional ones left blank), prints only what its form asks, escapes what a
resident typed, and fits on one F4 page. No database needed.
"""

from __future__ import annotations

import importlib
import io
import json
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.data import letter_classifications, letter_type_files
from kiosk.services.letter_fields import FieldSpec, clean_fields, parse_specs
from kiosk.services.letter_templates import (RESIDENT_FIELD_LABELS, TemplateContext, check_template, render_body,
                                             sample_context)

REQUIRED_NAMES = [
    "Surat Keterangan Domisili", "Surat Keterangan Usaha", "Surat Keterangan Domisili Usaha",
    "Surat Keterangan Tidak Mampu", "Surat Pengantar SKCK", "Surat Keterangan Penduduk", "Surat Pengantar",
    "Surat Keterangan Kelahiran", "Surat Keterangan Kematian", "Surat Keterangan Pindah", "Surat Pengantar Nikah",
    "Surat Keterangan Beda Identitas", "Surat Keterangan Kehilangan", "Surat Keterangan Penghasilan Orang Tua",
    "Surat Izin Keramaian", "Surat Keterangan Bepergian", "Surat Keterangan Jual Beli",
    "Surat Keterangan Kepemilikan Tanah", "Surat Kuasa", "Surat Keterangan KTP dalam Proses",
]
KEYS = ["code", "name", "klasifikasi", "requirements", "resident_fields", "fields"]
CODE = re.compile(r"^[A-Z0-9]{2,12}$")
# The tags a body may write itself (tabel() and biodata add table/tr/td with classes).
ALLOWED_TAGS = {"p", "b", "i", "u", "br", "ol", "ul", "li", "table", "tr", "td", "span"}
# Context keys a body may use besides `isian`; `sample_context` and the real renderer provide all of them.
PENDUDUK_KEYS = set(sample_context((), ()).penduduk)
DESA_KEYS = {"nama", "kecamatan", "kabupaten", "alamat", "kode", "kepala_desa"}
SURAT_KEYS = {"nama", "kode", "nomor", "tanggal"}
NIK = "3204120101900001"
SCRIPT = "<script>alert(1)</script>"


def _load() -> list[tuple[Path, dict[str, Any], str]]:
    found = []
    for definition_file, body_file in letter_type_files():
        raw = json.loads(definition_file.read_text(encoding="utf-8"))
        found.append((definition_file, raw, body_file.read_text(encoding="utf-8")))
    return found


DEFINITIONS = _load()
BY_CODE = {raw["code"]: (raw, body) for _, raw, body in DEFINITIONS}


def _specs(raw: dict[str, Any]) -> tuple[FieldSpec, ...]:
    return parse_specs(raw["fields"])


def _sample_value(spec: FieldSpec, text: str = "Contoh") -> str:
    """What a filled-in form realistically holds for this field, already in its cleaned form."""
    if spec.type == "date":
        return "2026-11-22"
    if spec.type == "money":
        return "1250000"
    if spec.type == "number":
        value = 3.0
        if spec.min is not None:
            value = max(value, spec.min)
        if spec.max is not None:
            value = min(value, spec.max)
        return str(int(value)) if value.is_integer() else str(value)
    if spec.type == "time":
        return "09.30"
    if spec.type == "select":
        return spec.options[0]
    if spec.type == "nik":
        return NIK
    return text


def _answers(raw: dict[str, Any], *, optional_blank: bool = False, text: str = "Contoh") -> dict[str, str]:
    specs = _specs(raw)
    answers = {spec.name: ("" if optional_blank and not spec.required else _sample_value(spec, text))
               for spec in specs}
    # The samples are exactly what the form would store: cleaning them changes nothing.
    assert clean_fields(specs, answers) == answers
    return answers


def _context(raw: dict[str, Any], answers: dict[str, str]) -> TemplateContext:
    sample = sample_context(raw["resident_fields"], [spec.name for spec in _specs(raw)])
    return TemplateContext(sample.penduduk, answers, sample.desa, sample.surat, tuple(raw["resident_fields"]))


def test_enough_definitions_with_every_required_name() -> None:
    assert len(DEFINITIONS) >= 22
    names = [raw["name"] for _, raw, _ in DEFINITIONS]
    assert len(set(names)) == len(names), "two letter types share a name"
    missing = [name for name in REQUIRED_NAMES if name not in names]
    assert not missing, f"missing letter types: {missing}"


def test_every_definition_has_its_template_file() -> None:
    for definition_file, _ in letter_type_files():
        assert definition_file.with_suffix(".html").is_file(), f"{definition_file.name} has no .html body"
    folder = letter_type_files()[0][0].parent
    orphans = {p.stem for p in folder.glob("*.html")} - {p.stem for p in folder.glob("*.json")}
    assert not orphans, f"templates without a definition: {sorted(orphans)}"


def test_codes_are_unique_valid_and_equal_to_file_names() -> None:
    codes = []
    for definition_file, raw, _ in DEFINITIONS:
        assert [key for key in raw if key != "for_deceased"] == KEYS, f"{definition_file.name}: keys must be {KEYS}"
        assert CODE.match(raw["code"]), f"{definition_file.name}: code {raw['code']!r}"
        assert raw["code"] == definition_file.stem, f"{definition_file.name}: code {raw['code']!r} != file name"
        codes.append(raw["code"])
    assert len(set(codes)) == len(codes)


def test_every_klasifikasi_is_in_the_classification_list() -> None:
    known = letter_classifications()
    wrong = {raw["code"]: raw["klasifikasi"] for _, raw, _ in DEFINITIONS if raw["klasifikasi"] not in known}
    assert not wrong, f"unknown klasifikasi: {wrong}"


def test_requirements_are_short_indonesian_lines() -> None:
    for _, raw, _ in DEFINITIONS:
        assert raw["requirements"], raw["code"]
        for item in raw["requirements"]:
            assert isinstance(item, str) and 3 <= len(item) <= 120, (raw["code"], item)


def test_fields_parse_and_resident_fields_are_known() -> None:
    for _, raw, _ in DEFINITIONS:
        specs = parse_specs(raw["fields"])
        assert specs, f"{raw['code']}: no asked fields"
        for item, spec in zip(raw["fields"], specs):
            # Free text states its own bound (a conscious choice: long answers push a letter onto a 2nd page).
            if spec.type in ("text", "textarea"):
                assert "max_length" in item, f"{raw['code']}.{spec.name}: no max_length"
            assert "options" not in item or spec.type == "select", f"{raw['code']}.{spec.name}: options unused"
        fields = raw["resident_fields"]
        assert fields and fields[0] == "nama", raw["code"]
        assert len(set(fields)) == len(fields), raw["code"]
        unknown = [name for name in fields if name not in RESIDENT_FIELD_LABELS]
        assert not unknown, f"{raw['code']}: unknown resident_fields {unknown}"


def test_the_real_loader_accepts_every_builtin() -> None:
    from kiosk.services.letter_types import builtin_definitions

    assert sorted(d.code for d in builtin_definitions()) == sorted(BY_CODE)


@pytest.mark.parametrize("code", sorted(BY_CODE))
def test_body_compiles_and_renders(code: str) -> None:
    raw, body = BY_CODE[code]
    check_template(body)
    names = [spec.name for spec in _specs(raw)]
    placeholder = str(render_body(body, sample_context(raw["resident_fields"], names)))
    full = str(render_body(body, _context(raw, _answers(raw))))
    blank = str(render_body(body, _context(raw, _answers(raw, optional_blank=True))))
    for rendered in (placeholder, full, blank):
        assert "SITI AMINAH" in rendered, f"{code}: the resident is not named"
        assert "None" not in rendered and "Undefined" not in rendered
        assert " ." not in re.sub(r"<[^>]+>", "", rendered), f"{code}: a blank optional field left ' .'"
    if "biodata" in body:
        assert 'class="biodata"' in full
    # Every required answer shows up in the letter in some form.
    for spec in _specs(raw):
        if spec.required and spec.type in ("text", "textarea", "select", "nik"):
            value = _sample_value(spec)
            assert value.upper() in full.upper(), f"{code}: {spec.name} is not printed"


@pytest.mark.parametrize("code", sorted(BY_CODE))
def test_isian_references_and_declared_fields_agree(code: str) -> None:
    raw, body = BY_CODE[code]
    declared = {spec.name for spec in _specs(raw)}
    used = set(re.findall(r"\bisian\.([A-Za-z_][A-Za-z0-9_]*)", body))
    assert "isian[" not in body.replace(" ", ""), f"{code}: use isian.<name>, not isian[...]"
    assert used - declared == set(), f"{code}: uses undeclared fields {sorted(used - declared)}"
    assert declared - used == set(), f"{code}: declared but never printed {sorted(declared - used)}"


@pytest.mark.parametrize("code", sorted(BY_CODE))
def test_other_context_references_exist(code: str) -> None:
    _, body = BY_CODE[code]
    for name, known in (("penduduk", PENDUDUK_KEYS), ("desa", DESA_KEYS), ("surat", SURAT_KEYS)):
        used = set(re.findall(rf"\b{name}\.([A-Za-z_][A-Za-z0-9_]*)", body))
        assert used <= known, f"{code}: unknown {name} keys {sorted(used - known)}"


@pytest.mark.parametrize("code", sorted(BY_CODE))
def test_body_uses_only_simple_markup(code: str) -> None:
    _, body = BY_CODE[code]
    tags = {tag.lower() for tag in re.findall(r"</?\s*([A-Za-z][A-Za-z0-9]*)", body)}
    assert tags <= ALLOWED_TAGS, f"{code}: tags {sorted(tags - ALLOWED_TAGS)}"
    for style in re.findall(r'style="([^"]*)"', body):
        properties = {part.split(":")[0].strip() for part in style.split(";") if part.strip()}
        assert properties <= {"width", "text-align"}, f"{code}: style {style!r}"
    lowered = body.lower()
    for forbidden in ("<script", "javascript:", "<img", " on", "url("):
        if forbidden == " on":
            assert not re.search(r"<[^>]*\son[a-z]+\s*=", lowered), f"{code}: event handler attribute"
        else:
            assert forbidden not in lowered, f"{code}: {forbidden}"
    # Page layout is added by the system: a body writes neither the title, the number nor the signature.
    assert "surat.nomor" not in body and "Nomor:" not in body, f"{code}: the number is printed by the layout"


@pytest.mark.parametrize("code", sorted(BY_CODE))
def test_typed_markup_is_escaped(code: str) -> None:
    raw, body = BY_CODE[code]
    specs = _specs(raw)
    answers = _answers(raw)
    typed = [spec.name for spec in specs if spec.type in ("text", "textarea")]
    assert typed, f"{code}: no free-text field to test"
    for name in typed:
        answers[name] = SCRIPT
    context = _context(raw, answers)
    penduduk = dict(context.penduduk, nama=SCRIPT, alamat=SCRIPT)
    rendered = str(render_body(body, TemplateContext(penduduk, answers, context.desa, context.surat,
                                                     context.resident_fields)))
    assert "<script" not in rendered.lower()
    assert "&lt;script&gt;" in rendered.lower()


def _letters_module() -> Any:
    try:
        module = importlib.import_module("printing.letters")
    except ImportError:
        return None
    if not all(hasattr(module, name) for name in ("render_letter_pdf", "LetterDocument")):
        return None
    return module


@pytest.mark.parametrize("code", sorted(BY_CODE))
def test_fits_on_one_f4_page(code: str) -> None:
    if _letters_module() is None:
        pytest.skip("printing/letters.py with render_letter_pdf and LetterDocument is not there yet")
    from pypdf import PdfReader

    from kiosk.services.letter_render import LetterLayout, Signer, document, letter_body, pdf
    from kiosk.services.letter_types import LetterTypeInfo

    raw, body = BY_CODE[code]
    specs = _specs(raw)
    letter_type = LetterTypeInfo(id=1, code=raw["code"], name=raw["name"], klasifikasi=raw["klasifikasi"],
                                 requirements=tuple(raw["requirements"]),
                                 resident_fields=tuple(raw["resident_fields"]), fields=specs, body=body,
                                 builtin=True, enabled=True)
    # Realistic, not minimal: free text of a typical length and a three-line textarea.
    answers = _answers(raw, text="Contoh isian sepanjang ini")
    for spec in specs:
        if spec.type == "textarea":
            answers[spec.name] = "\n".join(f"Contoh baris isian nomor {n} yang cukup panjang" for n in (1, 2, 3))
    sample = sample_context(raw["resident_fields"], [spec.name for spec in specs])
    number = "470/001/2003/XI/2026"
    rendered = letter_body(letter_type, dict(sample.penduduk), answers, dict(sample.desa), number,
                           date(2026, 11, 22))
    village = SimpleNamespace(name="Sukamaju", kecamatan="Ciparay", kabupaten="Bandung",
                              address="Jl. Raya Sukamaju No. 1, Kecamatan Ciparay, Kabupaten Bandung 40381",
                              code="32.04.12.2003")
    doc = document(letter_type, str(rendered), village, Signer("H. ASEP SAEPUDIN", "Kepala Desa Sukamaju"), number,
                   date(2026, 11, 22), LetterLayout(paper="F4"), "https://balai.example/v/ABCDEFGH12345678")
    pages = len(PdfReader(io.BytesIO(pdf(doc))).pages)
    assert pages == 1, f"{code}: {pages} pages on F4"
