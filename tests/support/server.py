"""Start a real `balai serve` process for system, browser and benchmark runs, and stop it by PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class BalaiServer:
    """One office server on 127.0.0.1 with its own data folder; survives being killed and restarted."""

    def __init__(self, data_dir: Path, *, demo: bool = True, printer_url: str = "", port: int | None = None,
                 extra_env: dict[str, str] | None = None, cpu: int | None = None, log_path: Path | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.demo = demo
        self.printer_url = printer_url
        self.extra_env = extra_env or {}
        self.cpu = cpu
        self.log_path = log_path or data_dir.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "kiosk.cli", "serve", "--data", str(self.data_dir),
                   "--host", "127.0.0.1", "--port", str(self.port)]
        if self.demo:
            command.append("--demo")
        if self.cpu is not None:
            command = ["taskset", "-c", str(self.cpu), *command]
        return command

    def environment(self) -> dict[str, str]:
        # Not BALAI_* from the caller, and not pytest's marker: NiceGUI would take the server for a screen test.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("BALAI_") and k != "PYTEST_CURRENT_TEST"}
        env.update({
            "BALAI_PUBLIC_URL": self.url,
            "BALAI_MDNS_INTERFACES": "127.0.0.1",
            "BALAI_PRINTER_URL": self.printer_url,
            "BALAI_PRINTER_TIMEOUT": "2",
            "BALAI_PRINT_RETRY_MAX_SECONDS": "2",
            "BALAI_LOG_LEVEL": "WARNING",
            "BALAI_DEMO_POPULATION": "0",  # quick starts; tests that need residents ask for them
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60.0) -> "BalaiServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.environment(), stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"balai serve exited with {self.process.returncode}: {self.log_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"balai serve did not answer within {timeout}s: {self.log_text()[-3000:]}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def kill(self) -> None:
        """SIGKILL, as a power cut or the OOM killer would: no shutdown handlers run."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def __enter__(self) -> "BalaiServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def make_operator(data_dir: Path, username: str = "loket", password: str = "rahasia-loket-1", role: str = "operator") -> None:
    """Create an account through the real CLI (password on stdin), as an admin would."""
    subprocess.run([sys.executable, "-m", "kiosk.cli", "user", "add", username, "--role", role, "--data", str(data_dir)],
                   input=f"{password}\n".encode(), cwd=ROOT, check=True, capture_output=True,
                   env={k: v for k, v in os.environ.items() if not k.startswith("BALAI_")})


def make_token(data_dir: Path, name: str, role: str = "operator") -> str:
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", "token", "create", name, "--role", role,
                             "--data", str(data_dir)], cwd=ROOT, check=True, capture_output=True,
                            env={k: v for k, v in os.environ.items() if not k.startswith("BALAI_")})
    return result.stdout.decode().strip()
