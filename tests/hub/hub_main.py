"""The district dashboard as NiceGUI's user simulation runs it: a hub prepared in the test's temporary
folder (BALAI_HUB_TEST_DATA), its pages registered, nothing listening on a port."""

import os
from pathlib import Path

from nicegui import ui

from sync.hub.app import prepare_hub
from sync.hub.dashboard import register_dashboard
from sync.hub.settings import HubSettings

hub = prepare_hub(HubSettings(data_dir=Path(os.environ["BALAI_HUB_TEST_DATA"]), alert_hours=24.0))
register_dashboard(hub)
ui.run(storage_secret="hub-page-test-secret", reload=False, show=False)
