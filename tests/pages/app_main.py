"""The app as the NiceGUI user simulation runs it: settings from the test's environment, built in-process."""

import os
from pathlib import Path

from nicegui import ui

from kiosk.app import build_app
from kiosk.settings import load_settings
from tests.pages import state

settings = load_settings(environ={}, overrides={
    "data_dir": Path(os.environ["BALAI_TEST_DATA"]),
    "demo": os.environ.get("BALAI_TEST_DEMO", "1") == "1",
    "demo_population": os.environ.get("BALAI_TEST_POPULATION", "0") == "1",
    "printer_url": "memory:",
    "public_url": "http://kantor.desa:8080",
    "mdns_enabled": False,
    "kiosk_idle_seconds": 60,
})
state.ctx = build_app(settings)
ui.run(storage_secret="page-test-secret", reload=False, show=False)
