"""One-off extraction of the "Kode Data" code lists into the shipped `kiosk/data/kode_data.json`.

The product must never read the reference spreadsheet at run time, so the lists are extracted once and
committed. This script stays next to its source file so the extraction can be repeated and so a test can
prove the shipped JSON still matches the sheet. Run: `.venv/bin/python -m tests.data.extract_kode_data`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from python_calamine import CalamineWorkbook

SOURCE = Path(__file__).with_name("FormatImporExcel.xlsm")
TARGET = Path(__file__).resolve().parents[2] / "kiosk" / "data" / "kode_data.json"

# Header of the label column in the sheet -> list name in kode_data.json. The sheet puts each list in a
# column pair (label, id). "JAMKESNAS" (ya/tidak) has no column in "Data Penduduk" and is left out.
LISTS: dict[str, str] = {
    "sex": "sex",
    "agama_id": "agama",
    "pendidikan_kk_id": "pendidikan_kk",
    "pendidikan_sedang_id": "pendidikan_sedang",
    "pekerjaan_id": "pekerjaan",
    "status_kawin": "status_kawin",
    "kk_level": "kk_level",
    "warganegara_id": "warganegara",
    "golongan_darah_id": "golongan_darah",
    "cacat_id": "cacat",
    "cara_kb_id": "cara_kb",
    "hamil": "hamil",
    "ktp_el": "ktp_el",
    "status_rekam": "status_rekam",
    "status_dasar": "status_dasar",
    "id_asuransi": "asuransi",
}


def _clean(label: object) -> str:
    """Labels keep their spelling; stray and doubled spaces ("BELUM WAJIB ", "SEDANG  D-1") are removed."""
    return re.sub(r"\s+", " ", str(label)).strip()


def extract(path: Path = SOURCE) -> dict[str, dict[int, str]]:
    """Read every (label, id) column pair whose header names a known list."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Kode Data").to_python(skip_empty_area=False)
    header = rows[0]
    result: dict[str, dict[int, str]] = {}
    for col, name in enumerate(header):
        list_name = LISTS.get(str(name).strip())
        if list_name is None:
            continue
        entries: dict[int, str] = {}
        for row in rows[1:]:
            label, code = row[col], row[col + 1] if col + 1 < len(row) else ""
            if label in ("", None) or code in ("", None):
                continue
            entries[int(code)] = _clean(label)
        result[list_name] = dict(sorted(entries.items()))
    return {name: result[name] for name in LISTS.values()}


def main() -> None:
    """Write the JSON with string keys (JSON has no int keys); the loader turns them back into ints."""
    data = extract()
    TARGET.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TARGET} ({sum(len(v) for v in data.values())} codes in {len(data)} lists)")


if __name__ == "__main__":
    main()
