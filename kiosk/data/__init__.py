"""Reference data shipped with Balai (code lists, letter classifications), loaded lazily.

The files were extracted once from the reference spreadsheets so that nothing at run time depends on files
outside the package. Loading happens on first use, never at import, and the result is cached because the
lists never change while the server runs.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    """The path of a shipped data file (e.g. "klasifikasi_surat.csv"), wherever the package is installed."""
    return Path(str(resources.files(__package__).joinpath(name)))


@lru_cache(maxsize=1)
def code_lists() -> dict[str, dict[int, str]]:
    """The "Kode Data" lists as {list_name: {code: label}}; JSON keeps codes as strings, callers want ints."""
    raw = json.loads(data_path("kode_data.json").read_text(encoding="utf-8"))
    return {name: {int(code): label for code, label in entries.items()} for name, entries in raw.items()}


@lru_cache(maxsize=1)
def letter_classifications() -> dict[str, str]:
    """Classification code -> name ("471.1" -> "Identitas Penduduk"), enabled codes only."""
    import csv

    with data_path("klasifikasi_surat.csv").open(encoding="utf-8", newline="") as handle:
        return {row["kode"].strip(): row["nama"].strip() for row in csv.DictReader(handle)
                if row.get("enabled", "1").strip() == "1" and row["kode"].strip()}


def letter_type_files() -> list[tuple[Path, Path]]:
    """The built-in letter types: (definition .json, body template .html) pairs, sorted by code."""
    folder = data_path("letter_types")
    pairs = []
    for definition in sorted(folder.glob("*.json")):
        pairs.append((definition, definition.with_suffix(".html")))
    return pairs
