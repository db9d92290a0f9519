"""The fault proxy that the village↔hub sync tests put between a village and its hub: each fault, measured
against a tiny threading HTTP server on 127.0.0.1, so that a sync test that trusts it trusts something proven."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import httpx
import pytest

from tests.support.faultproxy import FaultProxy


class _Handler(BaseHTTPRequestHandler):
    """GET /bytes/N answers N bytes; POST /upload reads the whole body and answers its length."""

    server: _Hub

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        """N bytes of b"x" for /bytes/N, else a short greeting naming the server."""
        size = int(self.path.rsplit("/", 1)[1]) if self.path.startswith("/bytes/") else 0
        body = b"x" * size if size else self.server.name.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        """Read the whole body; count the request as complete only when all of it arrived."""
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length)
        if len(body) != length:
            return
        with self.server.lock:
            self.server.completed += 1
        answer = str(len(body)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the test output is for failures."""


class _Hub(ThreadingHTTPServer):
    """A stand-in hub on 127.0.0.1 that counts complete uploads."""

    daemon_threads = True

    def __init__(self, name: str) -> None:
        """Bind a free loopback port."""
        super().__init__(("127.0.0.1", 0), _Handler)
        self.name = name
        self.lock = threading.Lock()
        self.completed = 0

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) for FaultProxy."""
        return ("127.0.0.1", int(self.server_address[1]))


def _serve(name: str) -> tuple[_Hub, threading.Thread]:
    """Start a hub in a thread."""
    hub = _Hub(name)
    thread = threading.Thread(target=hub.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return hub, thread


@pytest.fixture
def hub() -> Iterator[_Hub]:
    """A running stand-in hub, shut down after the test."""
    server, thread = _serve("hub-a")
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def proxy(hub: _Hub) -> Iterator[FaultProxy]:
    """A running proxy in front of the hub."""
    with FaultProxy(hub.address) as running:
        yield running


def _client() -> httpx.Client:
    """A client with no pooling surprises: every request is a fresh connection (HTTP/1.0 server anyway)."""
    return httpx.Client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0))


def _raw_get(port: int, path: str) -> tuple[bytes, BaseException | None]:
    """GET `path` over a raw socket; the bytes received and the exception that ended the read, if any."""
    received = bytearray()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(f"GET {path} HTTP/1.0\r\nHost: hub\r\n\r\n".encode())
            time.sleep(0.3)  # let the response (and any RST) arrive before reading, the harder case
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return bytes(received), None
                received += chunk
    except OSError as error:  # an RST may even beat connect() back: that raises here too
        return bytes(received), error


def test_passthrough_forwards_both_ways_and_counts(proxy: FaultProxy, hub: _Hub) -> None:
    with _client() as client:
        got = client.get(f"{proxy.url}/bytes/5000")
        posted = client.post(f"{proxy.url}/upload", content=b"y" * 3000)
    assert got.status_code == 200 and got.content == b"x" * 5000
    assert posted.text == "3000" and hub.completed == 1
    assert proxy.connections == 2
    assert proxy.bytes_up > 3000 and proxy.bytes_down > 5000
    assert proxy.faults_fired == 0


def test_delay_adds_latency_to_each_direction(proxy: FaultProxy) -> None:
    with _client() as client:
        started = time.monotonic()
        client.get(f"{proxy.url}/")
        baseline = time.monotonic() - started
        proxy.delay = 0.3
        started = time.monotonic()
        response = client.get(f"{proxy.url}/")
        delayed = time.monotonic() - started
    assert response.status_code == 200
    assert baseline < 0.25
    assert 0.6 <= delayed < 3.0  # at least one chunk up and one chunk down, each 0.3 s late


def test_bandwidth_cap_download_50kbit(proxy: FaultProxy) -> None:
    proxy.bandwidth_bps = 50_000
    with _client() as client:
        started = time.monotonic()
        response = client.get(f"{proxy.url}/bytes/40000")
        elapsed = time.monotonic() - started
    assert len(response.content) == 40000
    rate = proxy.bytes_down * 8 / elapsed
    assert 50_000 * 0.75 <= rate <= 50_000 * 1.25, f"{rate:.0f} bit/s over {elapsed:.2f} s"


def test_bandwidth_cap_upload(proxy: FaultProxy, hub: _Hub) -> None:
    proxy.bandwidth_bps = 400_000  # faster than the download test, to keep the suite short
    with _client() as client:
        started = time.monotonic()
        response = client.post(f"{proxy.url}/upload", content=b"y" * 40000)
        elapsed = time.monotonic() - started
    assert response.text == "40000"
    rate = proxy.bytes_up * 8 / elapsed
    assert 400_000 * 0.75 <= rate <= 400_000 * 1.25, f"{rate:.0f} bit/s over {elapsed:.2f} s"


def test_drop_mid_request_fires_once_then_retry_passes(proxy: FaultProxy, hub: _Hub) -> None:
    proxy.drop_after_request_bytes = 500
    proxy.fault_once = True
    with _client() as client:
        with pytest.raises(httpx.TransportError):
            client.post(f"{proxy.url}/upload", content=b"y" * 10000)
        assert hub.completed == 0  # the hub never saw a whole request
        assert proxy.bytes_up == 500  # exactly N bytes went up before the cut
        assert proxy.faults_fired == 1
        assert proxy.drop_after_request_bytes is None and not proxy.fault_once  # cleared itself
        retried = client.post(f"{proxy.url}/upload", content=b"y" * 10000)
    assert retried.text == "10000" and hub.completed == 1
    assert proxy.faults_fired == 1


def test_drop_with_a_count_hits_that_many_connections(proxy: FaultProxy, hub: _Hub) -> None:
    proxy.drop_request_after(200, times=2)
    with _client() as client:
        small = client.get(f"{proxy.url}/")  # a request shorter than N does not spend the budget
        outcomes = []
        for _ in range(3):
            try:
                outcomes.append(client.post(f"{proxy.url}/upload", content=b"y" * 2000).status_code)
            except httpx.TransportError:
                outcomes.append("dropped")
    assert small.status_code == 200
    assert outcomes == ["dropped", "dropped", 200]
    assert proxy.faults_fired == 2 and hub.completed == 1


def test_drop_closes_quietly_with_fin(proxy: FaultProxy) -> None:
    proxy.drop_after_request_bytes = 10
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        sock.sendall(b"GET /bytes/100 HTTP/1.0\r\n")  # more than 10 bytes, an unfinished request
        assert sock.recv(1024) == b""  # an orderly end of stream, no response, no reset
    assert proxy.faults_fired == 1 and proxy.bytes_up == 10


def test_reset_after_response_bytes_raw_socket(proxy: FaultProxy) -> None:
    proxy.reset_response_after(1000, times=1)
    received, error = _raw_get(proxy.port, "/bytes/200000")
    assert isinstance(error, ConnectionResetError), error
    assert len(received) <= 1000
    assert proxy.faults_fired == 1 and proxy.bytes_down == 1000
    received, error = _raw_get(proxy.port, "/bytes/200000")  # the budget is spent: passes whole
    assert error is None and received.endswith(b"x" * 200000)


def test_reset_after_response_bytes_httpx(proxy: FaultProxy) -> None:
    proxy.reset_after_bytes = 1000
    with _client() as client:
        with pytest.raises(httpx.ReadError) as caught:
            with client.stream("GET", f"{proxy.url}/bytes/200000") as response:
                for _ in response.iter_bytes():
                    pass
    assert isinstance(caught.value.__context__, ConnectionResetError) or "reset" in str(caught.value).lower()
    assert proxy.faults_fired == 1


def test_refuse_resets_new_connections_until_lifted(proxy: FaultProxy) -> None:
    proxy.refuse = True
    received, error = _raw_get(proxy.port, "/")
    assert isinstance(error, (ConnectionResetError, BrokenPipeError)) and received == b""
    with _client() as client:
        with pytest.raises(httpx.TransportError):
            client.get(f"{proxy.url}/")
        proxy.refuse = False
        assert client.get(f"{proxy.url}/").text == "hub-a"
    assert proxy.connections == 3
    assert proxy.faults_fired == 0  # refusing is not a byte fault


def test_reset_faults_clears_everything(proxy: FaultProxy) -> None:
    proxy.delay = 5
    proxy.bandwidth_bps = 1000
    proxy.drop_after_request_bytes = 1
    proxy.reset_after_bytes = 1
    proxy.fault_times = 3
    proxy.refuse = True
    proxy.reset_faults()
    with _client() as client:
        started = time.monotonic()
        assert client.get(f"{proxy.url}/bytes/20000").status_code == 200
        assert time.monotonic() - started < 1.0
    assert proxy.faults_fired == 0 and proxy.fault_times is None


def test_target_change_takes_effect_for_new_connections(proxy: FaultProxy) -> None:
    other, thread = _serve("hub-b")
    try:
        with _client() as client:
            assert client.get(f"{proxy.url}/").text == "hub-a"
            proxy.target = other.address
            assert client.get(f"{proxy.url}/").text == "hub-b"
    finally:
        other.shutdown()
        other.server_close()
        thread.join(timeout=5)


def test_target_down_resets_the_client(proxy: FaultProxy) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]  # bound but not listening: connecting is refused
        proxy.target = ("127.0.0.1", dead_port)
        with _client() as client:
            with pytest.raises(httpx.TransportError):
                client.get(f"{proxy.url}/")


def test_counters_under_concurrent_connections(proxy: FaultProxy) -> None:
    def fetch(_: int) -> int:
        with _client() as client:
            return len(client.get(f"{proxy.url}/bytes/10000").content)

    with ThreadPoolExecutor(max_workers=8) as pool:
        sizes = list(pool.map(fetch, range(16)))
    assert sizes == [10000] * 16
    assert proxy.connections == 16
    assert proxy.bytes_down >= 16 * 10000
    deadline = time.monotonic() + 2
    while proxy.live_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proxy.live_connections == 0


def test_stop_closes_live_connections_and_joins_threads(hub: _Hub) -> None:
    before = {t.ident for t in threading.enumerate()}
    proxy = FaultProxy(hub.address).start()
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    try:
        sock.sendall(b"GET /bytes/10 HTTP/1.0\r\n")  # an unfinished request keeps the link open
        deadline = time.monotonic() + 2
        while proxy.live_connections == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proxy.live_connections == 1
        started = time.monotonic()
        proxy.stop()
        assert time.monotonic() - started < 2
        assert sock.recv(1024) == b""
    finally:
        sock.close()
    leftover = [t for t in threading.enumerate() if t.ident not in before and t.name.startswith("faultproxy")]
    assert leftover == []
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=1).close()
