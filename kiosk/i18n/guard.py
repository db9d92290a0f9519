"""UI text for the web guard: refused cross-site posts, oversized bodies and the like (Indonesian first)."""

from __future__ import annotations

GUARD_ID: dict[str, str] = {
}

GUARD_EN: dict[str, str] = {
}
