"""The app as the NiceGUI user simulation runs it: settings from the test's environment, built in-process."""

import os
from pathlib import Path

from nicegui import ui

from kiosk.app import build_app
from kiosk.settings import load_settings
from tests.pages import state

data = Path(os.environ["BALAI_TEST_DATA"])
settings = load_settings(environ={}, overrides={
    "data_dir": data,
    "demo": os.environ.get("BALAI_TEST_DEMO", "1") == "1",
    "demo_population": os.environ.get("BALAI_TEST_POPULATION", "0") == "1",
    "printer_url": "memory:",
    "public_url": "http://kantor.desa:8080",
    "mdns_enabled": False,
    "kiosk_idle_seconds": 60,
    # Spoken guidance runs espeak-ng for every fixed sentence at start: only for the tests that listen to it.
    "kiosk_voice": os.environ.get("BALAI_TEST_VOICE", "0") == "1",
    "language_files": os.environ.get("BALAI_TEST_LANGUAGE_FILES") or None,
    # USB sticks: a test lists a temporary folder as a mounted stick; otherwise none (not this machine's).
    "usb_mount_roots": os.environ.get("BALAI_TEST_USB_ROOT"),
    "usb_mounts_file": os.environ.get("BALAI_TEST_MOUNTS", str(data / "no-mounts")),
    # Offline updates: a test's own release folder and publisher keys, never this machine's /opt/balai.
    "install_root": os.environ.get("BALAI_TEST_INSTALL_ROOT", str(data / "no-install")),
    "update_keys_dir": os.environ.get("BALAI_TEST_UPDATE_KEYS", str(data / "no-keys")),
})
state.ctx = build_app(settings)
ui.run(storage_secret="page-test-secret", reload=False, show=False)
