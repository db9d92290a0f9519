"""Checks across rows: a NIK twice in one file, and families with two heads or none.

They need the whole file, so they run after every row was converted, on canonical values.
"""

from __future__ import annotations

from kiosk.importing.columns import KK_LEVEL_HEAD, STATUS_HIDUP

STATUS_TIDAK_VALID = 9
from kiosk.importing.model import RowProblem, SourceRow


def duplicate_niks(rows: list[SourceRow]) -> tuple[list[RowProblem], set[int]]:
    """Every later row repeating a NIK is an error pointing back to the first row that had it.

    Except when SIAK itself marks one of the two records TIDAK VALID (status dasar 9): that record is
    left out with a warning and the valid one is imported. Returns the problems and the skipped rows.
    """
    first: dict[str, SourceRow] = {}
    problems: list[RowProblem] = []
    skipped: set[int] = set()
    for row in rows:
        nik = row.values.get("nik")
        if not isinstance(nik, str):
            continue
        earlier = first.get(nik)
        if earlier is None:
            first[nik] = row
            continue
        invalid = [r for r in (earlier, row) if r.values.get("status_dasar") == STATUS_TIDAK_VALID]
        if len(invalid) == 1:
            dropped = invalid[0]
            kept = row if dropped is earlier else earlier
            skipped.add(dropped.row_number)
            first[nik] = kept
            problems.append(RowProblem(dropped.row_number, "nik", "warning", "nik.duplicate_invalid_skipped",
                                       {"column": "nik", "value": nik, "first_row": kept.row_number}))
        else:
            problems.append(RowProblem(row.row_number, "nik", "error", "nik.duplicate_in_file",
                                       {"column": "nik", "value": nik, "first_row": earlier.row_number}))
    return problems, skipped


def _active(values: dict[str, object]) -> bool:
    """Living members (or status unknown) make up the family card today; the dead and moved do not.

    SIAK exports keep a deceased or moved-out former head in the list, so counting them would report two
    heads for every family whose head changed.
    """
    return values.get("status_dasar") in (None, STATUS_HIDUP)


def family_heads(rows: list[SourceRow]) -> list[RowProblem]:
    """Per Nomor KK among active members: a second head is an error, no head at all a warning."""
    families: dict[str, list[SourceRow]] = {}
    for row in rows:
        kk = row.values.get("no_kk")
        if isinstance(kk, str) and _active(row.values):
            families.setdefault(kk, []).append(row)
    problems: list[RowProblem] = []
    for kk, members in families.items():
        heads = [m for m in members if m.values.get("kk_level") == KK_LEVEL_HEAD]
        for extra in heads[1:]:
            problems.append(RowProblem(extra.row_number, "kk_level", "error", "kk.two_heads",
                                       {"column": "kk_level", "value": kk, "first_row": heads[0].row_number}))
        if not heads and all(m.values.get("kk_level") is not None for m in members):
            # (a member whose relationship is missing or unknown already has an error and may be the head)
            problems.append(RowProblem(members[0].row_number, "kk_level", "warning", "kk.no_head",
                                       {"column": "kk_level", "value": kk}))
    return problems
