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
