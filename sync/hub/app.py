"""Building and starting the district hub: database, keys, the village API and the district dashboard."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from fastapi import FastAPI

from kiosk.private_file import load_or_create_secret
from sync.hub.api import HubKeys, add_error_handlers, build_router
from sync.hub.settings import HubSettings
from sync.hub.store import HubDatabaseInfo, open_hub_database
from sync.keys import box_key, public_text, signing_key

log = logging.getLogger(__name__)


@dataclass
class HubContext:
    settings: HubSettings
    keys: HubKeys
    database: HubDatabaseInfo


def prepare_hub(settings: HubSettings) -> HubContext:
    """Open (and migrate) the hub database and load or make the hub's keys. Nothing listens yet."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.data_dir, 0o700)
    info = open_hub_database(settings.db_url, settings.data_dir)
    keys = HubKeys(sign=signing_key(settings.sign_key_file),
                   box_public=public_text(box_key(settings.box_key_file)))
    return HubContext(settings, keys, info)


def create_api_app(hub: HubContext) -> FastAPI:
    """The village-facing API alone (tests and headless hubs)."""
    api = FastAPI(title="Balai hub", docs_url=None, redoc_url=None)
    api.include_router(build_router(hub.keys))
    add_error_handlers(api)
    return api


def _session_secret(hub: HubContext) -> str:
    return load_or_create_secret(hub.settings.secret_file)


def serve(settings: HubSettings) -> None:
    """`balai hub serve`: the API for villages plus the district dashboard, in the foreground."""
    from nicegui import app, ui
    from nicegui.storage import Storage

    from sync.hub.dashboard import register_dashboard

    hub = prepare_hub(settings)
    Storage.path = (settings.data_dir / "browser-sessions").resolve()
    app.storage = Storage()
    app.include_router(build_router(hub.keys))
    add_error_handlers(app)
    register_dashboard(hub)
    log.info("Balai hub on http://%s:%s (%s database)", settings.host, settings.port, hub.database.engine)
    ui.run(host=settings.host, port=settings.port, title="Balai Kabupaten", reload=False, show=False,
           storage_secret=_session_secret(hub), language="id", favicon="🏛️", show_welcome_message=False,
           uvicorn_logging_level=settings.log_level)
