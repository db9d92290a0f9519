"""The hub's settings: one typed object, built from the command line (and BALAI_HUB_* variables), passed in."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class HubSettings:
    data_dir: Path
    db_url: str = ""            # postgresql://user@host/db, or empty for <data_dir>/hub.sqlite3
    host: str = "0.0.0.0"
    port: int = 8090
    alert_hours: float = 24.0   # a village whose oldest unacknowledged change is older than this is flagged
    enrolment_days: int = 14    # how long a one-time enrolment code stays valid
    log_level: str = "info"

    @property
    def sign_key_file(self) -> Path:
        return self.data_dir / "hub-sign.key"

    @property
    def box_key_file(self) -> Path:
        return self.data_dir / "hub-box.key"

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "hub-session.secret"


def hub_settings(data_dir: Path | None = None, db_url: str | None = None, host: str | None = None,
                 port: int | None = None, environ: Mapping[str, str] | None = None) -> HubSettings:
    """Arguments win over BALAI_HUB_DATA / BALAI_HUB_DB / BALAI_HUB_HOST / BALAI_HUB_PORT, which win over defaults."""
    env = os.environ if environ is None else environ
    return HubSettings(
        data_dir=(data_dir or Path(env.get("BALAI_HUB_DATA", "./var-hub"))).resolve(),
        db_url=db_url if db_url is not None else env.get("BALAI_HUB_DB", ""),
        host=host or env.get("BALAI_HUB_HOST", "0.0.0.0"),
        port=port or int(env.get("BALAI_HUB_PORT", "8090")),
        alert_hours=float(env.get("BALAI_HUB_ALERT_HOURS", "24")),
    )
