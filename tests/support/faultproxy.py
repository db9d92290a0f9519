"""A fault-injecting TCP proxy on 127.0.0.1, for tests of the village↔district (hub) sync link.

A village office reaches its district hub over a poor link: a GSM modem that drops mid-request, latency of
seconds, 50 kbit/s on a good day, a tower handover that resets the connection half-way through a response.
The sync code must survive all of that (retry, resume, never apply half a batch twice), and the only honest
way to prove it is to put a real, misbehaving TCP hop between a real client and a real hub. This is that
hop: the client talks to `proxy.url`, the proxy forwards every connection to `proxy.target`, and a test sets
faults on it at any moment:

    delay                     seconds of added latency before each forwarded chunk, both directions
    bandwidth_bps             a cap in bits per second per direction (token bucket, chunks of at most 1 KiB)
    drop_after_request_bytes  after N bytes client→server on a connection, close both sides quietly (FIN)
    reset_after_bytes         after N bytes server→client on a connection, abort both sides (TCP RST)
    fault_times / fault_once  how many connections the two byte faults above may still hit (None: every one);
                              when the budget runs out both byte faults clear themselves, so a retry passes
    refuse                    accept and at once RST every new connection (the link is down)

drop_request_after(n, times=k) and reset_response_after(n, times=k) set a byte fault and its budget at
once; close_connections("fin" | "rst") cuts every live connection now; reset_faults() clears all faults.

Counters (`connections`, `bytes_up`, `bytes_down`, `faults_fired`) tell a test what actually happened.
`target` may be changed at any time (a test restarts the hub on a new port); new connections go there.

Design: one thread accepts; each connection gets one thread per direction. Every socket has a short
timeout, so the pumps notice a closing connection or proxy within ~0.1 s without one thread closing a
socket another is blocked on; the last pump of a connection closes its sockets. Only loopback is used.

    python -m tests.support.faultproxy HOST:PORT   # a passthrough proxy to HOST:PORT until Ctrl-C
"""

from __future__ import annotations

import fcntl
import select
import socket
import struct
import sys
import termios
import threading
import time
from types import TracebackType

LOOPBACK = "127.0.0.1"
POLL_SECONDS = 0.1  # how soon a pump notices that its connection or the proxy is closing
CHUNK = 65536  # bytes read at a time when there is no bandwidth cap
THROTTLED_CHUNK = 1024  # bytes read at a time under a cap, so the bucket can pace finely
CONNECT_TIMEOUT = 5.0


def _abort(sock: socket.socket) -> None:
    """Close `sock` with an RST instead of a FIN (SO_LINGER on with a zero timeout, then close)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def _discard_unread(sock: socket.socket) -> None:
    """Read and drop whatever the peer sent that no pump forwarded (bounded: a peer may keep sending)."""
    try:
        sock.setblocking(False)
        for _ in range(64):
            if not sock.recv(65536):
                return
    except OSError:
        pass


def _unsent_bytes(sock: socket.socket) -> int:
    """Bytes still in the kernel's send queue of `sock` (Linux SIOCOUTQ), 0 when that cannot be asked."""
    try:
        raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
        return int(struct.unpack("i", raw)[0])
    except (OSError, ValueError):
        return 0


class _Bucket:
    """A token bucket for one direction of one connection; the rate is read from the proxy at every chunk."""

    def __init__(self) -> None:
        """Start full, so the first chunk is not delayed."""
        self.tokens = float(THROTTLED_CHUNK)
        self.last = time.monotonic()

    def wait_time(self, nbytes: int, bits_per_second: float | None) -> float:
        """Take `nbytes` out of the bucket and say how long to sleep before sending them (0: no cap)."""
        now = time.monotonic()
        if not bits_per_second or bits_per_second <= 0:
            self.tokens, self.last = float(THROTTLED_CHUNK), now
            return 0.0
        rate = bits_per_second / 8.0  # bytes per second
        self.tokens = min(float(THROTTLED_CHUNK), self.tokens + (now - self.last) * rate)
        self.last = now
        self.tokens -= nbytes
        # A debt is paid by sleeping; the refill over that sleep is counted at the next chunk.
        return -self.tokens / rate if self.tokens < 0 else 0.0


class _Link:
    """One proxied connection: the client's socket, the target's socket, and its byte counts."""

    def __init__(self, client: socket.socket) -> None:
        """Hold the accepted client socket; the target socket is connected by the first pump."""
        self.client = client
        self.server: socket.socket | None = None
        self.lock = threading.Lock()
        self.closing = threading.Event()  # set when the link must end; pumps leave within POLL_SECONDS
        self.how = "fin"  # or "rst": how the last pump closes the sockets
        self.up = 0  # bytes forwarded client→server on this link
        self.down = 0  # bytes forwarded server→client on this link
        self.pumps_left = 2
        self.threads: list[threading.Thread] = []

    def end(self, how: str) -> None:
        """Ask both pumps to stop; with "fin" both peers see an orderly close at once, with "rst" a reset."""
        with self.lock:
            if self.closing.is_set():
                return
            self.how = how
            self.closing.set()
            if how == "fin":
                for sock in (self.client, self.server):
                    if sock is not None:
                        try:
                            sock.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass

    def pump_done(self) -> None:
        """Called by each pump on its way out; the last one closes both sockets the chosen way."""
        with self.lock:
            self.pumps_left -= 1
            if self.pumps_left > 0:
                return
            for sock in (self.client, self.server):
                if sock is None:
                    continue
                if self.how == "rst":
                    _abort(sock)
                else:
                    _discard_unread(sock)  # close() with unread bytes would send an RST, not a FIN
                    sock.close()


class FaultProxy:
    """A TCP proxy from 127.0.0.1:`port` to `target` whose faults a test can change at any moment."""

    def __init__(self, target: tuple[str, int], *, port: int = 0) -> None:
        """Set the target and clear all faults; start() binds the port (0: a free one)."""
        self.target: tuple[str, int] = target
        self.port = port
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._links: set[_Link] = set()
        self._connections = 0
        self._bytes_up = 0
        self._bytes_down = 0
        self._faults_fired = 0
        self.delay: float = 0.0
        self.bandwidth_bps: float | None = None
        self.drop_after_request_bytes: int | None = None
        self.reset_after_bytes: int | None = None
        self.fault_times: int | None = None
        self.refuse: bool = False

    # -- faults ---------------------------------------------------------------------------------------

    @property
    def fault_once(self) -> bool:
        """True while the byte faults may hit exactly one more connection."""
        return self.fault_times == 1

    @fault_once.setter
    def fault_once(self, value: bool) -> None:
        """True: the byte faults hit only the next connection that reaches them; False: every one."""
        with self._lock:
            self.fault_times = 1 if value else None

    def drop_request_after(self, nbytes: int, *, times: int | None = None) -> None:
        """Set drop_after_request_bytes and the fault budget together (times=None: every connection)."""
        with self._lock:
            self.drop_after_request_bytes, self.fault_times = nbytes, times

    def reset_response_after(self, nbytes: int, *, times: int | None = None) -> None:
        """Set reset_after_bytes and the fault budget together (times=None: every connection)."""
        with self._lock:
            self.reset_after_bytes, self.fault_times = nbytes, times

    def reset_faults(self) -> None:
        """Clear every fault: no delay, no cap, no drop, no reset, no refusal; the counters stay."""
        with self._lock:
            self.delay = 0.0
            self.bandwidth_bps = None
            self.drop_after_request_bytes = None
            self.reset_after_bytes = None
            self.fault_times = None
            self.refuse = False

    def _claim_fault(self, attribute: str, threshold: int) -> bool:
        """Whether a byte fault may fire now; spends one from the budget (atomically, across connections)."""
        with self._lock:
            if getattr(self, attribute) != threshold:
                return False  # changed or cleared meanwhile (e.g. another connection spent the last one)
            if self.fault_times is not None:
                if self.fault_times <= 0:
                    return False
                self.fault_times -= 1
                if self.fault_times == 0:
                    self.drop_after_request_bytes = None
                    self.reset_after_bytes = None
                    self.fault_times = None
            self._faults_fired += 1
            return True

    # -- counters -------------------------------------------------------------------------------------

    @property
    def connections(self) -> int:
        """Connections accepted so far (refused ones included)."""
        with self._lock:
            return self._connections

    @property
    def bytes_up(self) -> int:
        """Bytes forwarded client→server so far, over all connections."""
        with self._lock:
            return self._bytes_up

    @property
    def bytes_down(self) -> int:
        """Bytes forwarded server→client so far, over all connections."""
        with self._lock:
            return self._bytes_down

    @property
    def faults_fired(self) -> int:
        """How many times a drop or reset fault actually cut a connection."""
        with self._lock:
            return self._faults_fired

    @property
    def live_connections(self) -> int:
        """Connections currently open through the proxy."""
        with self._lock:
            return len(self._links)

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>, for an HTTP client that should go through the proxy."""
        return f"http://{LOOPBACK}:{self.port}"

    # -- life cycle -----------------------------------------------------------------------------------

    def __enter__(self) -> FaultProxy:
        """Start listening; the proxy stops again when the block ends."""
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop the proxy and close every live connection."""
        self.stop()

    def start(self) -> FaultProxy:
        """Bind 127.0.0.1:`port` and start the accept thread."""
        if self._accept_thread is not None:
            raise RuntimeError("FaultProxy already started")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((LOOPBACK, self.port))
            listener.listen(128)
        except OSError:
            listener.close()
            raise
        self.port = int(listener.getsockname()[1])
        self._listener = listener
        self._stopping.clear()
        self._accept_thread = threading.Thread(target=self._accept_loop, name=f"faultproxy-{self.port}",
                                               daemon=True)
        self._accept_thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close all live connections (FIN), and join the threads."""
        self._stopping.set()
        thread, self._accept_thread = self._accept_thread, None
        if thread is not None:
            thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self.close_connections()
        with self._lock:
            threads = [t for link in self._links for t in link.threads]
        for pump in threads:
            pump.join(timeout=2)

    def close_connections(self, how: str = "fin") -> None:
        """End every live connection now ("fin": orderly close, "rst": reset), without stopping the proxy."""
        with self._lock:
            links = list(self._links)
        for link in links:
            link.end(how)

    def _accept_loop(self) -> None:
        """Accept connections until stop(); poll so that stop() is noticed within POLL_SECONDS."""
        listener = self._listener
        assert listener is not None
        while not self._stopping.is_set():
            try:
                ready, _, _ = select.select([listener], [], [], POLL_SECONDS)
                if not ready:
                    continue
                client, _ = listener.accept()
            except OSError:
                if self._stopping.is_set():
                    return
                continue
            with self._lock:
                self._connections += 1
                refuse = self.refuse
            if refuse:
                _abort(client)
                continue
            client.settimeout(POLL_SECONDS)
            link = _Link(client)
            with self._lock:
                self._links.add(link)
            up = threading.Thread(target=self._run_link, args=(link,), name=f"faultproxy-{self.port}-up",
                                  daemon=True)
            link.threads.append(up)
            up.start()

    def _run_link(self, link: _Link) -> None:
        """Connect to the target (RST the client if that fails), start the downstream pump, pump upstream."""
        try:
            server = socket.create_connection(self.target, timeout=CONNECT_TIMEOUT)
        except OSError:
            with self._lock:
                self._links.discard(link)
            _abort(link.client)
            return
        server.settimeout(POLL_SECONDS)
        with link.lock:
            link.server = server
            closing = link.closing.is_set()
        if closing:  # stop() came while we were connecting: no pump ever ran on this link
            server.close()
            link.client.close()
            with self._lock:
                self._links.discard(link)
            return
        down = threading.Thread(target=self._pump, args=(link, False), name=f"faultproxy-{self.port}-down",
                                daemon=True)
        link.threads.append(down)
        down.start()
        self._pump(link, True)

    def _pump(self, link: _Link, upstream: bool) -> None:
        """Forward one direction of `link` chunk by chunk, applying delay, the cap and the byte faults."""
        assert link.server is not None
        source, sink = (link.client, link.server) if upstream else (link.server, link.client)
        bucket = _Bucket()
        try:
            while not link.closing.is_set() and not self._stopping.is_set():
                size = THROTTLED_CHUNK if self.bandwidth_bps else CHUNK
                try:
                    data = source.recv(size)
                except TimeoutError:
                    continue
                except ConnectionResetError:  # one peer aborted: the other one sees an abort too
                    link.end("rst")
                    break
                except OSError:
                    link.end("fin")
                    break
                if not data:  # the peer closed its sending side: pass the FIN on, keep the other direction
                    try:
                        sink.shutdown(socket.SHUT_WR)
                    except OSError:
                        link.end("fin")
                    break
                cut = self._fault_cut(link, upstream, len(data))
                if cut is not None:
                    data = data[:cut]
                if data and not self._forward(link, sink, data, upstream, bucket):
                    link.end("fin")
                    break
                if cut is not None:
                    if upstream:
                        link.end("fin")
                    else:
                        self._drain(link.client)
                        link.end("rst")
                    break
        finally:
            link.pump_done()
            with link.lock:
                finished = link.pumps_left == 0
            if finished:
                with self._lock:
                    self._links.discard(link)

    def _fault_cut(self, link: _Link, upstream: bool, nbytes: int) -> int | None:
        """How many bytes of the next `nbytes` to forward before a byte fault cuts the link (None: no cut)."""
        attribute = "drop_after_request_bytes" if upstream else "reset_after_bytes"
        threshold = getattr(self, attribute)
        if threshold is None:
            return None
        done = link.up if upstream else link.down
        if done + nbytes < threshold:
            return None
        if not self._claim_fault(attribute, threshold):
            return None
        return max(0, threshold - done)

    def _forward(self, link: _Link, sink: socket.socket, data: bytes, upstream: bool, bucket: _Bucket) -> bool:
        """Send `data` after the delay and the cap's pacing; False when the link closed meanwhile."""
        wait = float(self.delay or 0.0) + bucket.wait_time(len(data), self.bandwidth_bps)
        if wait > 0 and (link.closing.wait(wait) or self._stopping.is_set()):
            return False
        view = memoryview(data)
        while view:
            if link.closing.is_set() or self._stopping.is_set():
                return False
            try:
                sent = sink.send(view)
            except TimeoutError:
                continue
            except OSError:
                return False
            view = view[sent:]
            with self._lock:
                if upstream:
                    self._bytes_up += sent
                else:
                    self._bytes_down += sent
            if upstream:
                link.up += sent
            else:
                link.down += sent
        return True

    def _drain(self, sock: socket.socket, seconds: float = 1.0) -> None:
        """Wait (briefly) until the kernel has handed `sock`'s queued bytes to the peer, so an RST after
        them does not discard them: the client then really receives N bytes before the reset."""
        deadline = time.monotonic() + seconds
        while _unsent_bytes(sock) > 0 and time.monotonic() < deadline and not self._stopping.is_set():
            time.sleep(0.005)


def _main(argv: list[str]) -> int:
    """Run a passthrough proxy to HOST:PORT until Ctrl-C (for trying faults by hand in a debugger)."""
    if len(argv) != 1 or ":" not in argv[0]:
        print("usage: python -m tests.support.faultproxy HOST:PORT", file=sys.stderr)
        return 2
    host, _, port = argv[0].rpartition(":")
    with FaultProxy((host, int(port))) as proxy:
        print(f"proxy on {proxy.url} -> {host}:{port}; Ctrl-C stops it")
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
