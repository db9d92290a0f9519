"""A district hub's village API running in this process on a loopback port, for sync tests.

The real `balai hub serve` (with its dashboard) is started as a child process by the fault tests; most tests
only need the API, so this runs uvicorn in a thread on 127.0.0.1 with the same router and database code.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from sync.hub.app import HubContext, create_api_app, prepare_hub
from sync.hub.settings import HubSettings
from sync.hub.store import close_hub_database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class HubThread:
    def __init__(self, data_dir: Path, db_url: str = "") -> None:
        self.settings = HubSettings(data_dir=data_dir, db_url=db_url, host="127.0.0.1", port=free_port())
        self.hub: HubContext = prepare_hub(self.settings)
        config = uvicorn.Config(create_api_app(self.hub), host="127.0.0.1", port=self.settings.port,
                                log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def start(self) -> "HubThread":
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the hub did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        close_hub_database()

    def __enter__(self) -> "HubThread":
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
