"""Plausible answers for any letter type's asked fields, from its public schema (the API's type list)."""

from __future__ import annotations

from typing import Any


def sample_answers(fields: list[dict[str, Any]], *, required_only: bool = False) -> dict[str, str]:
    answers: dict[str, str] = {}
    for spec in fields:
        if required_only and not spec.get("required", True):
            continue
        kind = spec.get("type", "text")
        if kind == "date":
            value = "2026-11-20"
        elif kind in ("number", "money"):
            low = spec.get("min")
            value = str(int(low) if low is not None and low > 0 else (1250000 if kind == "money" else 2))
        elif kind == "select":
            value = spec["options"][0]
        elif kind == "nik":
            value = "3204120101900001"
        elif kind == "time":
            value = "09.30"
        else:
            value = "Contoh isian"[: spec.get("max_length", 200)]
        answers[spec["name"]] = value
    return answers
