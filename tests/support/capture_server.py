"""A fake raw-TCP (port 9100) thermal printer that records what it receives.

Tests use it to check the exact bytes a NetworkPrinter delivers and how it
behaves when the printer goes away; people can run it by hand to capture
jobs from a running appliance without paper:

    python -m tests.support.capture_server --port 9100 --out /tmp/jobs
"""

from __future__ import annotations

import argparse
import select
import socket
import struct
import threading
from pathlib import Path
from types import TracebackType
from typing import Callable

_ACCEPT_POLL = 0.02  # how often the accept loop checks whether it must stop


class CapturePrinterServer:
    """Listens on 127.0.0.1 (ephemeral port by default) and records each connection as a job.

    A job is all bytes of one connection, recorded when the client closes
    its side; the server then closes too, which is how a real printer tells
    the client it has everything. Connections that send nothing (probes) are
    not recorded as jobs. ``set_online(False)`` closes the listening socket
    so new connections are refused, like a switched-off printer;
    ``set_online(True)`` listens again on the same port.

    ``vanish_after(n)`` makes the next connection a printer that dies
    mid-job: it reads ``n`` bytes, then drops the connection (a reset; or,
    with ``how="close"``, a plain close, which the kernel turns into a reset
    as unread bytes remain) and, by default, stops listening as if switched
    off. What it got is kept in ``partial_jobs``, never in ``jobs``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        on_job: Callable[[int, bytes], None] | None = None,
    ) -> None:
        """Configure only; nothing listens before start()."""
        self.host = host
        self.port = port
        self.jobs: list[bytes] = []
        self.partial_jobs: list[bytes] = []
        self._vanish: tuple[int, str, bool] | None = None  # (bytes, how, go offline) for the next connection
        self.vanished = threading.Event()  # set once an armed connection was cut
        self._on_job = on_job
        self._cond = threading.Condition()
        self._connections: set[socket.socket] = set()
        self._accept_thread: threading.Thread | None = None
        self._stop_accepting = threading.Event()
        self._running = False

    # ------------------------------------------------------------- lifecycle

    def start(self) -> CapturePrinterServer:
        """Start listening; afterwards ``port`` holds the real port number."""
        self._running = True
        self._listen()
        return self

    def stop(self) -> None:
        """Stop listening and drop open connections; safe to call twice."""
        self._running = False
        self._stop_listening()
        with self._cond:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> CapturePrinterServer:
        """Start on entering a with block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on leaving a with block, whatever happened inside."""
        self.stop()

    def set_online(self, online: bool) -> None:
        """Simulate power: offline refuses new connections, online listens again.

        Returns only once the change is effective, so a test can connect
        right after and rely on the outcome.
        """
        if online and self._accept_thread is None and self._running:
            self._listen()
        elif not online:
            self._stop_listening()

    def vanish_after(self, nbytes: int, *, how: str = "reset", offline: bool = True) -> None:
        """Arm the next connection to be cut after ``nbytes`` (see the class docstring)."""
        if how not in ("reset", "close"):
            raise ValueError(f"how must be 'reset' or 'close', not {how!r}")
        with self._cond:
            self._vanish = (nbytes, how, offline)
            self.vanished.clear()

    # ------------------------------------------------------------------ jobs

    def wait_for_jobs(self, n: int, timeout: float = 5.0) -> list[bytes]:
        """Block until at least ``n`` jobs arrived; return a copy of all jobs.

        Raises TimeoutError so a test fails with a clear message instead of
        asserting on a half-filled list.
        """
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.jobs) >= n, timeout):
                raise TimeoutError(f"expected {n} job(s), got {len(self.jobs)} within {timeout} s")
            return list(self.jobs)

    # -------------------------------------------------------------- internals

    def _listen(self) -> None:
        """Bind (SO_REUSEADDR, so the same port works again) and start accepting."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self.port))
            listener.listen(16)
        except OSError:
            listener.close()
            raise
        self.port = listener.getsockname()[1]
        self._stop_accepting = threading.Event()
        self._accept_thread = threading.Thread(
            target=self._accept_loop,
            args=(listener, self._stop_accepting),
            name=f"capture-printer-{self.port}",
            daemon=True,
        )
        self._accept_thread.start()

    def _stop_listening(self) -> None:
        """Ask the accept thread to close the listener and wait until it has."""
        thread = self._accept_thread
        if thread is None:
            return
        self._stop_accepting.set()
        thread.join()
        self._accept_thread = None

    def _accept_loop(self, listener: socket.socket, stop: threading.Event) -> None:
        """Accept connections until told to stop; this thread owns the listener.

        Polling with select (rather than closing the socket under a blocked
        accept()) is what makes stopping reliable on every platform.
        """
        with listener:
            while not stop.is_set():
                readable, _, _ = select.select([listener], [], [], _ACCEPT_POLL)
                if not readable:
                    continue
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                with self._cond:
                    self._connections.add(conn)
                    vanish, self._vanish = self._vanish, None
                threading.Thread(target=self._read_job, args=(conn, vanish), daemon=True).start()

    def _read_job(self, conn: socket.socket, vanish: tuple[int, str, bool] | None = None) -> None:
        """Read one connection to EOF, record it, then close like a printer would (or vanish mid-job)."""
        chunks: list[bytes] = []
        received = 0
        cut = False
        try:
            while True:
                want = 65536 if vanish is None else min(65536, vanish[0] - received)
                if want <= 0:
                    cut = True
                    break
                chunk = conn.recv(want)
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
        except OSError:
            pass
        finally:
            with self._cond:
                self._connections.discard(conn)
            if cut and vanish is not None and vanish[1] == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
        data = b"".join(chunks)
        if vanish is not None and not cut:
            if not data:  # a probe (connect, close): the next job is still the one to cut
                with self._cond:
                    self._vanish = self._vanish or vanish
                return
            vanish = None  # the job was shorter than the cut: a whole job after all
        if vanish is not None:
            with self._cond:
                self.partial_jobs.append(data)
            if vanish[2]:
                self._stop_listening()
            self.vanished.set()
            return
        if not data:
            return
        with self._cond:
            self.jobs.append(data)
            number = len(self.jobs)
            self._cond.notify_all()
        if self._on_job is not None:
            self._on_job(number, data)


def _save_job(out: Path) -> Callable[[int, bytes], None]:
    """Make the callback the command line uses: DIR/job-N.bin (+ .png when decodable)."""

    def save(number: int, data: bytes) -> None:
        path = out / f"job-{number}.bin"
        path.write_bytes(data)
        message = f"job {number}: {len(data)} bytes -> {path}"
        try:
            from printing.raster import decode_escpos_raster

            png = path.with_suffix(".png")
            decode_escpos_raster(data).save(png)
            message += f" (+ {png.name})"
        except ValueError:
            pass
        print(message, flush=True)

    return save


def main(argv: list[str] | None = None) -> None:
    """Run the fake printer until Ctrl-C, saving every job to a folder."""
    parser = argparse.ArgumentParser(description="Fake raw-TCP thermal printer that saves jobs.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the LAN)")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--out", type=Path, required=True, help="folder for job-N.bin files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    server = CapturePrinterServer(args.host, args.port, on_job=_save_job(args.out))
    with server:
        print(f"listening on {args.host}:{server.port}, saving to {args.out}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
