"""The one table the suite prints: rows, percentile helpers and the machine description above it."""

from __future__ import annotations

import math
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Row:
    metric: str
    value: str = ""
    target: str = "—"
    result: str = "—"
    notes: str = ""

    def fail(self, error: BaseException) -> None:
        text = f"{type(error).__name__}: {error}".replace("\n", " ").replace("|", "/")
        self.value = f"error: {text[:110]}"
        self.result = "error"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def verdict(value: float, limit: float) -> str:
    return "OK" if value <= limit else "MISS"


def mb(kib: int) -> str:
    return f"{kib / 1024:.1f} MB"


def render_table(rows: list[Row]) -> str:
    header = ["#", "Benchmark", "Value", "Target", "Result", "Notes"]
    body = [[str(i), r.metric, r.value, r.target, r.result, r.notes] for i, r in enumerate(rows, 1)]
    clean = [[cell.replace("|", "/").replace("\n", " ") for cell in line] for line in [header, *body]]
    widths = [max(len(line[c]) for line in clean) for c in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(clean[0]), separator, *(line(cells) for cells in clean[1:])])


def _cpu_model() -> str:
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = text.partition(":")
            if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_total() -> str:
    try:
        for text in Path("/proc/meminfo").read_text().splitlines():
            if text.startswith("MemTotal:"):
                return f"{int(text.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    return "RAM unknown"


def machine_lines() -> list[str]:
    return [
        f"Machine: {_cpu_model()} · {os.cpu_count()} cores ({platform.machine()}) · {_memory_total()}",
        f"Python {platform.python_version()} ({sys.implementation.name}) · {platform.system()} {platform.release()}",
    ]
