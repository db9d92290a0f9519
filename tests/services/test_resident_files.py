"""Importing and exporting residents through the real files: all or nothing, idempotent, round trip."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.models import Keluarga, Penduduk, Wilayah
from kiosk.services import resident_files, residents
from kiosk.services.errors import ServiceError
from tests.importing.generate import write_excel

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]


def snapshot() -> list[tuple]:
    return sorted(tuple(p.values()) for p in resident_files.export_rows())


def test_import_creates_then_reimport_only_updates(db, tmp_path):
    source = tmp_path / "warga.xlsx"
    rows = write_excel(source, 300)
    summary = resident_files.import_file(source, dry_run=True, actor="t")
    assert summary.errors == 0 and summary.created == 300 and Penduduk.select().count() == 0
    summary = resident_files.import_file(source, dry_run=False, actor="t")
    assert summary.as_json() == {"created": 300, "updated": 0, "families": len({r["no_kk"] for r in rows}),
                                 "warnings": summary.warnings, "errors": 0}
    assert Penduduk.select().count() == 300
    before = snapshot()
    again = resident_files.import_file(source, dry_run=False, actor="t")
    assert again.created == 0 and again.updated == 300 and again.families == 0
    assert Penduduk.select().count() == 300 and snapshot() == before
    # Search finds an imported person by name prefix and by NIK prefix.
    person = Penduduk.get()
    assert person.id in [h.id for h in residents.search(person.nama.split()[0][:3], 100)]
    assert residents.search(person.nik[:10])[0].id == person.id


def test_import_export_import_changes_nothing(db, tmp_path):
    source = tmp_path / "warga.xlsx"
    write_excel(source, 120)
    resident_files.import_file(source, dry_run=False, actor="t")
    first = snapshot()
    exported = tmp_path / "ekspor.xlsx"
    assert resident_files.export_file(exported, actor="t", role="admin") == 120
    sheet = load_workbook(exported, read_only=True)["Data Penduduk"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:7] == ["alamat", "dusun", "rw", "rt", "nama", "no_kk", "nik"]
    summary = resident_files.import_file(exported, dry_run=False, actor="t")
    assert summary.created == 0 and summary.errors == 0
    assert snapshot() == first
    csv_target = tmp_path / "ekspor.csv"
    resident_files.export_file(csv_target, actor="t", role="admin")
    assert csv_target.read_text(encoding="utf-8-sig").splitlines()[0].startswith("alamat,dusun,rw,rt,nama")


def test_a_file_with_errors_writes_nothing(db, tmp_path):
    with pytest.raises(ServiceError) as refused:
        resident_files.import_file(DATA / "format_siak.xls", dry_run=False, actor="t")
    assert refused.value.key == "import.has_errors"
    assert Penduduk.select().count() == Keluarga.select().count() == Wilayah.select().count() == 0
    report = resident_files.import_file(DATA / "format_siak.xls", dry_run=True, actor="t")
    assert report.created == 17 and report.errors > 0
    target = tmp_path / "laporan.csv"
    resident_files.write_report(report, target)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "baris,kolom,tingkat,pesan" and len(lines) == len(report.issues) + 1
    assert any("tidak ada" in line for line in lines)


@pytest.mark.parametrize("content, name, key", [
    (b"nama,nik\nSiti,123\n", "warga.xlsx", "import.not_spreadsheet"),
    (b"", "kosong.xlsx", "import.not_spreadsheet"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "foto.xls", "import.not_spreadsheet"),
    (b"<?php system($_GET['c']); ?>", "shell.php", "import.extension"),
])
def test_not_a_spreadsheet_gets_a_clear_message(db, tmp_path, content, name, key):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ServiceError) as refused:
        resident_files.import_file(path, dry_run=True, actor="t")
    assert refused.value.key == key


def test_cli_prints_one_json_summary_and_fails_without_writing(tmp_path):
    data = tmp_path / "data"
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", "import", "residents", str(DATA / "format_siak.xls"),
                             "--data", str(data)], capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 1
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(summary) == {"created", "updated", "families", "warnings", "errors"} and summary["errors"] > 0
    assert sqlite3.connect(data / "balai.sqlite3").execute("SELECT count(*) FROM penduduk").fetchone()[0] == 0
    good = tmp_path / "warga.xlsx"
    write_excel(good, 50)
    dry = subprocess.run([sys.executable, "-m", "kiosk.cli", "import", "residents", str(good), "--dry-run",
                          "--data", str(data)], capture_output=True, text=True, cwd=ROOT, env=env)
    assert dry.returncode == 0 and json.loads(dry.stdout)["created"] == 50
    assert sqlite3.connect(data / "balai.sqlite3").execute("SELECT count(*) FROM penduduk").fetchone()[0] == 0
    real = subprocess.run([sys.executable, "-m", "kiosk.cli", "import", "residents", str(good), "--data", str(data)],
                          capture_output=True, text=True, cwd=ROOT, env=env)
    assert real.returncode == 0 and json.loads(real.stdout)["created"] == 50
    assert sqlite3.connect(data / "balai.sqlite3").execute("SELECT count(*) FROM penduduk").fetchone()[0] == 50


def test_siak_numbers_accepted_on_request_are_imported_and_reported(db):
    """The sample SIAK export has anonymised numbers (region 10, serial 0000): refused by default, imported
    when the operator explicitly accepts unusual numbers; wrong lengths would still be refused."""
    summary = resident_files.import_file(DATA / "format_siak.xls", dry_run=False, actor="t",
                                         accept_unusual_numbers=True)
    assert summary.errors == 0 and summary.created == 17 and summary.warnings > 30
    assert Penduduk.select().count() == 17
    again = resident_files.import_file(DATA / "format_siak.xls", dry_run=False, actor="t",
                                       accept_unusual_numbers=True)
    assert again.created == 0 and again.updated == 17
    from kiosk.models import AuditLog

    assert "unusual numbers accepted" in AuditLog.select().where(AuditLog.action == "residents.import").first().target
