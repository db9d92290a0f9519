"""UI text for faults the office really has: a full disk, a printer gone mid-job (Indonesian first)."""

from __future__ import annotations

FAULTS_ID: dict[str, str] = {
}

FAULTS_EN: dict[str, str] = {
}
