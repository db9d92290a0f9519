"""Printer transports: how ticket bytes reach a printer, and how that fails.

Every transport raises exactly one error type, PrinterError, with a small set
of kinds, so the print queue can decide "retry later" versus "tell the
operator" without knowing about sockets, USB or serial libraries. USB and
serial libraries are imported only when such a printer is used: most
installations use a network printer and may not have pyusb or pyserial.
"""

from __future__ import annotations

import errno
import io
import os
import select
import socket
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qs, unquote, urlsplit

from printing.raster import decode_escpos_raster

ERROR_KINDS: frozenset[str] = frozenset({"offline", "timeout", "refused", "not_found", "io"})

_OFFLINE_ERRNOS = frozenset(
    {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN, errno.ENODEV, errno.ENXIO}
)
_REFUSED_ERRNOS = frozenset({errno.ECONNREFUSED, errno.EACCES, errno.EPERM, errno.EBUSY})
_POLL_INTERVAL = 0.01  # seconds between checks while waiting for the peer's ACKs


class PrinterError(Exception):
    """The one error type at the hardware boundary.

    ``kind`` is one of ERROR_KINDS so callers can branch on it; ``detail`` is a
    human-readable sentence for logs and the operator screen.
    """

    def __init__(self, kind: str, detail: str) -> None:
        """Validate the kind so a typo cannot silently create a new category."""
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown PrinterError kind {kind!r}")
        super().__init__(kind, detail)  # keeps the error picklable
        self.kind = kind
        self.detail = detail

    def __str__(self) -> str:
        """Render as "kind: detail", the form that ends up in logs."""
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True)
class PrinterState:
    """Result of a cheap reachability check, for status lights and health pages."""

    ready: bool
    detail: str


@runtime_checkable
class Printer(Protocol):
    """What the print queue needs from any printer."""

    name: str

    def send(self, data: bytes) -> None:
        """Return only once the transport accepted all bytes; raise PrinterError otherwise."""
        ...

    def probe(self) -> PrinterState:
        """Check cheaply (within the timeout) whether a job could be sent; never raise."""
        ...


def _os_error_kind(exc: BaseException) -> str:
    """Classify a low-level exception into a PrinterError kind.

    Based on exception type and errno only, so it works the same for sockets,
    device files and the errors that pyusb and pyserial wrap around them.
    """
    if isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower():
        return "timeout"
    if isinstance(exc, (FileNotFoundError, socket.gaierror)):
        return "not_found"
    if isinstance(exc, (ConnectionRefusedError, PermissionError)):
        return "refused"
    code = getattr(exc, "errno", None) or getattr(exc, "backend_error_code", None)
    if code in _OFFLINE_ERRNOS:
        return "offline"
    if code in _REFUSED_ERRNOS:
        return "refused"
    return "io"


def _wrap_error(exc: BaseException, where: str) -> PrinterError:
    """Build the PrinterError for ``exc``, keeping its message for the operator."""
    message = str(exc) or type(exc).__name__
    return PrinterError(_os_error_kind(exc), f"{where}: {message}")


# ------------------------------------------------------------------- network


CLOSE_GRACE_S = 0.5  # how long an acknowledged job waits for the printer's close (or its reset)


def _unacked_bytes(sock: socket.socket) -> int | None:
    """Bytes written to ``sock`` that the peer's TCP stack has not ACKed yet.

    Linux reports this through SIOCOUTQ (same value as TIOCOUTQ); elsewhere
    the answer is None, meaning "cannot tell".
    """
    if sys.platform != "linux":
        return None
    try:
        import fcntl
        import termios

        raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, struct.pack("i", 0))
        return int(struct.unpack("i", raw)[0])
    except (ImportError, OSError):
        return None


def _url_host(host: str) -> str:
    """Bracket IPv6 literals so the printer name is a valid URL."""
    return f"[{host}]" if ":" in host else host


class NetworkPrinter:
    """A raw TCP ("JetDirect", port 9100) printer.

    What "accepted" means here: every byte was written into the connection,
    the connection was shut down cleanly (our FIN sent), and then either the
    printer closed its side or, on Linux, its TCP stack acknowledged every
    byte (the socket's unacknowledged-output count reached zero) and did not
    reset the connection within half a second (a printer that vanished with
    our bytes unread resets it: that job goes again). Port 9100
    has no application-level acknowledgement, so this is the strongest
    promise available: a printer that loses power or jams after this point
    can still lose the ticket. A failure before this point raises, and the
    caller retries the job, so at worst part of a ticket prints twice.

    Where the unacknowledged count is unavailable (not Linux), a short wait
    for the printer to close that ends in a timeout still counts as accepted,
    because all bytes were handed to the network stack.

    Timeouts: ``timeout`` bounds the connect, the total time of writing the
    bytes into the socket, and each stretch without ACK progress afterwards
    (a printer slowly printing a long ticket is not a failure; one that stops
    taking data for ``timeout`` seconds is). Host name resolution is not
    bounded by it, so configure printers by IP address.
    """

    def __init__(self, host: str, port: int = 9100, timeout: float = 5.0) -> None:
        """Remember where the printer is; no connection is made until send()."""
        self.host = host
        self.port = port
        self.timeout = timeout
        self.name = f"tcp://{_url_host(host)}:{port}"

    def _connect(self, timeout: float) -> socket.socket:
        """Open the TCP connection, mapping failures to PrinterError."""
        try:
            return socket.create_connection((self.host, self.port), timeout=timeout)
        except TimeoutError:
            raise PrinterError(
                "offline", f"{self.name} did not answer within {timeout:g} s"
            ) from None
        except OSError as exc:
            raise _wrap_error(exc, f"cannot connect to {self.name}") from exc

    def send(self, data: bytes) -> None:
        """Send one job over a fresh connection; see the class docstring for "accepted"."""
        sock = self._connect(self.timeout)
        try:
            with sock:
                sock.settimeout(self.timeout)
                try:
                    sock.sendall(data)
                except TimeoutError:
                    raise PrinterError(
                        "timeout",
                        f"{self.name} did not take all {len(data)} bytes within {self.timeout:g} s",
                    ) from None
                sock.shutdown(socket.SHUT_WR)
                self._wait_until_accepted(sock, len(data))
        except PrinterError:
            raise
        except OSError as exc:
            raise _wrap_error(exc, f"sending to {self.name}") from exc

    def _wait_until_accepted(self, sock: socket.socket, size: int) -> None:
        """After SHUT_WR, wait until the printer ACKed everything or closed.

        Bytes the printer sends back (status) are read and dropped: closing a
        socket with unread input makes the kernel send a reset, which can make
        the printer discard data it has not processed yet.
        """
        known = _unacked_bytes(sock) is not None
        budget = self.timeout if known else min(self.timeout, 1.0)
        deadline = time.monotonic() + budget
        last_unacked: int | None = None
        peer_closed = False
        while True:
            unacked = _unacked_bytes(sock)
            if unacked == 0 and not peer_closed:
                self._await_close(sock, min(self.timeout, CLOSE_GRACE_S))
                return
            if unacked == 0 or (peer_closed and unacked is None):
                return
            if unacked is not None and (last_unacked is None or unacked < last_unacked):
                last_unacked = unacked
                deadline = time.monotonic() + budget  # progress: the printer is taking data
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if unacked is None:
                    return  # cannot know better: all bytes were handed to the stack
                raise PrinterError(
                    "timeout",
                    f"{self.name} stopped taking data: {unacked} of {size} bytes "
                    f"unacknowledged after {budget:g} s",
                )
            wait = min(remaining, _POLL_INTERVAL) if known else remaining
            if peer_closed:
                time.sleep(wait)
                continue
            sock.settimeout(wait)
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                continue
            if not chunk:
                peer_closed = True

    def _await_close(self, sock: socket.socket, seconds: float) -> None:
        """Every byte sits in the printer's TCP buffer; a printer that reads them all closes its side soon.

        One that vanished mid-job (reset, or closed with our bytes unread, which makes its kernel reset)
        raises ConnectionResetError here: the job was not printed whole and must go again. A printer that
        neither closes nor resets within `seconds` is taken at its TCP word, as before."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(remaining)
            try:
                if not sock.recv(4096):
                    return
            except TimeoutError:
                return

    def probe(self) -> PrinterState:
        """Try a TCP connect with a short timeout; report, never raise.

        Note that some printers accept a single connection at a time, so a
        probe during a print may be refused: callers should not probe while
        sending.
        """
        try:
            sock = self._connect(min(self.timeout, 2.0))
        except PrinterError as exc:
            return PrinterState(False, str(exc))
        except Exception as exc:  # a probe must never take the caller down
            return PrinterState(False, f"io: {exc}")
        try:
            sock.close()
        except OSError:
            pass
        return PrinterState(True, f"{self.name} is reachable")


# ----------------------------------------------------------------------- usb


class UsbPrinter:
    """A printer speaking ESC/POS over raw USB (libusb via pyusb).

    The device is opened per job and released afterwards, so unplugging and
    replugging the printer needs no restart. "Accepted" means the USB bulk
    transfer of every byte completed within the timeout.
    """

    def __init__(self, vendor_id: int, product_id: int, timeout: float = 5.0) -> None:
        """Remember the USB ids; nothing is opened and no library imported yet."""
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.timeout = timeout
        self.name = f"usb://{vendor_id:04x}:{product_id:04x}"

    def _usb_class(self) -> Any:
        """Import python-escpos' Usb printer, or explain why USB cannot work here."""
        try:
            from escpos.printer import Usb
        except ImportError as exc:
            raise PrinterError("not_found", f"{self.name}: python-escpos USB support missing: {exc}") from exc
        if not Usb.is_usable():
            raise PrinterError("not_found", f"{self.name}: pyusb is not installed")
        return Usb

    def send(self, data: bytes) -> None:
        """Open the device, bulk-write all bytes, release the device."""
        usb_class = self._usb_class()
        timeout_ms = max(1, int(self.timeout * 1000))
        printer = usb_class(self.vendor_id, self.product_id, timeout=timeout_ms)
        try:
            printer.open()
            written = printer.device.write(printer.out_ep, data, timeout_ms)
            if written != len(data):
                raise PrinterError("io", f"{self.name} took only {written} of {len(data)} bytes")
        except PrinterError:
            raise
        except Exception as exc:
            if type(exc).__name__ in ("DeviceNotFoundError", "USBNotFoundError", "NoBackendError"):
                raise PrinterError("not_found", f"{self.name}: {exc}") from exc
            raise _wrap_error(exc, f"writing to {self.name}") from exc
        finally:
            try:
                printer.close()
            except Exception:
                pass

    def probe(self) -> PrinterState:
        """Look the device up on the bus without opening (or resetting) it."""
        try:
            import usb.core

            found = usb.core.find(idVendor=self.vendor_id, idProduct=self.product_id)
        except ImportError:
            return PrinterState(False, f"not_found: {self.name}: pyusb is not installed")
        except Exception as exc:
            return PrinterState(False, f"not_found: {self.name}: {exc}")
        if found is None:
            return PrinterState(False, f"not_found: {self.name} is not connected")
        return PrinterState(True, f"{self.name} is connected")


# -------------------------------------------------------------------- serial


class SerialPrinter:
    """A printer on a serial port (RS-232 or a USB-serial adapter).

    "Accepted" means every byte left the computer's transmit buffer. A write
    timeout is set explicitly: pyserial's default would block forever when
    hardware flow control holds the line (printer offline or out of paper).
    """

    def __init__(self, device: str, baudrate: int = 19200, timeout: float = 5.0) -> None:
        """Remember the port settings; the port is opened per job."""
        self.device = device
        self.baudrate = baudrate
        self.timeout = timeout
        self.name = f"serial://{device}?baudrate={baudrate}"

    def _serial_class(self) -> Any:
        """Import python-escpos' Serial printer, or explain why it cannot work."""
        try:
            from escpos.printer import Serial
        except ImportError as exc:
            raise PrinterError("not_found", f"{self.name}: python-escpos serial support missing: {exc}") from exc
        if not Serial.is_usable():
            raise PrinterError("not_found", f"{self.name}: pyserial is not installed")
        return Serial

    def _check_device_file(self) -> None:
        """Give clear not_found/refused errors before pyserial blurs them together."""
        if not self.device.startswith("/"):
            return
        if not os.path.exists(self.device):
            raise PrinterError("not_found", f"{self.device} does not exist")
        if not os.access(self.device, os.R_OK | os.W_OK):
            raise PrinterError("refused", f"no permission to use {self.device}")

    def send(self, data: bytes) -> None:
        """Open the port, write, wait for the transmit buffer to drain, close."""
        serial_class = self._serial_class()
        self._check_device_file()
        printer = serial_class(devfile=self.device, baudrate=self.baudrate, timeout=self.timeout)
        failed = True
        try:
            printer.open()
            port = printer.device
            port.write_timeout = self.timeout
            port.write(data)
            self._drain(port)
            failed = False
        except PrinterError:
            raise
        except Exception as exc:
            if type(exc).__name__ == "DeviceNotFoundError":
                raise PrinterError("not_found", f"{self.name}: {exc}") from exc
            raise _wrap_error(exc, f"writing to {self.name}") from exc
        finally:
            self._close(printer, discard=failed)

    def _drain(self, port: Any) -> None:
        """Wait (bounded) until the OS transmit buffer is empty."""
        deadline = time.monotonic() + self.timeout
        while port.out_waiting:
            if time.monotonic() >= deadline:
                raise PrinterError(
                    "timeout", f"{self.name}: {port.out_waiting} bytes still unsent after {self.timeout:g} s"
                )
            time.sleep(_POLL_INTERVAL)

    @staticmethod
    def _close(printer: Any, discard: bool) -> None:
        """Close without hanging: escpos' close() drains, which blocks on a stuck line."""
        try:
            port = printer._device
            if discard and port:
                port.reset_output_buffer()
            printer.close()
        except Exception:
            pass

    def probe(self) -> PrinterState:
        """Check that the device file exists and is usable; a serial line cannot tell more."""
        try:
            self._serial_class()
            self._check_device_file()
        except PrinterError as exc:
            return PrinterState(False, str(exc))
        return PrinterState(True, f"{self.device} is present")


# ---------------------------------------------------------------------- file


class FilePrinter:
    """A printer exposed as a device file (e.g. /dev/usb/lp0), or a plain file.

    Writes are non-blocking with a deadline, because the Linux usblp driver
    otherwise blocks forever when the printer is out of paper. After the
    last write it waits until the device reports it can take more, which for
    usblp means the last transfer completed; closing earlier would cancel it.
    Nothing is created under /dev: if the printer is unplugged its node
    disappears, and creating a regular file there would make every ticket
    "print" into a file.
    """

    def __init__(self, path: str | Path, timeout: float = 5.0) -> None:
        """Remember the path; it is opened per job so a replugged printer just works."""
        self.path = Path(path)
        self.timeout = timeout
        self.name = f"file://{self.path}"

    def _flags(self) -> int:
        """Open flags: append, non-blocking, no controlling tty, create only outside /dev."""
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
        if not self.path.is_absolute() or self.path.parts[1:2] != ("dev",):
            flags |= os.O_CREAT
        return flags

    def send(self, data: bytes) -> None:
        """Append all bytes; raise PrinterError if the device stops taking them."""
        try:
            fd = os.open(self.path, self._flags(), 0o644)
        except OSError as exc:
            raise _wrap_error(exc, f"cannot open {self.path}") from exc
        try:
            self._write_all(fd, data)
        except PrinterError:
            raise
        except OSError as exc:
            raise _wrap_error(exc, f"writing to {self.path}") from exc
        finally:
            os.close(fd)

    def _write_all(self, fd: int, data: bytes) -> None:
        """Write with a no-progress deadline, then wait for the last chunk to complete."""
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        view = memoryview(data)
        deadline = time.monotonic() + self.timeout
        while True:
            if view:
                try:
                    written = os.write(fd, view)
                except BlockingIOError:
                    written = 0
                if written:
                    view = view[written:]
                    deadline = time.monotonic() + self.timeout
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PrinterError(
                    "timeout", f"{self.path} took only {len(data) - len(view)} of {len(data)} bytes"
                )
            events = poller.poll(remaining * 1000)
            if not events:
                continue  # the deadline check above turns this into a timeout
            mask = events[0][1]
            if mask & (select.POLLERR | select.POLLHUP | select.POLLNVAL):
                raise PrinterError("offline", f"{self.path} reported an error or hang-up")
            if not view:
                os.write(fd, b"")  # a zero-length write surfaces a failed last transfer
                return

    def probe(self) -> PrinterState:
        """Ready when the path exists and we may write to it."""
        if not self.path.exists():
            return PrinterState(False, f"not_found: {self.path} does not exist")
        if not os.access(self.path, os.W_OK):
            return PrinterState(False, f"refused: no permission to write {self.path}")
        return PrinterState(True, f"{self.path} is writable")


# ------------------------------------------------------------------- preview


def _atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that readers see either nothing or the whole file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class PreviewPrinter:
    """Writes each job to a folder instead of paper: for demo mode and tests.

    Each job becomes ``<YYYYmmdd-HHMMSS>-<seq>.png`` (what the paper would
    show, when the job contains a raster image) and then ``.bin`` (the exact
    bytes). The .png is written first, so whoever sees a .bin can rely on
    its picture being there already.
    """

    def __init__(self, folder: Path) -> None:
        """Remember the folder; it is created on the first job, not here."""
        self.folder = Path(folder)
        self.name = "preview:"
        self._lock = threading.Lock()
        self._seq = 0

    def send(self, data: bytes) -> None:
        """Store the job; only a failing disk makes this raise."""
        with self._lock:
            self._seq += 1
            stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{self._seq:04d}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            png = self._png(data)
            if png is not None:
                _atomic_write(self.folder / f"{stem}.png", png)
            _atomic_write(self.folder / f"{stem}.bin", data)
        except OSError as exc:
            raise _wrap_error(exc, f"writing preview to {self.folder}") from exc

    @staticmethod
    def _png(data: bytes) -> bytes | None:
        """Decode the job's raster to PNG bytes, or None when it has no raster."""
        try:
            image = decode_escpos_raster(data)
        except ValueError:
            return None
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    def probe(self) -> PrinterState:
        """Always ready: a folder stands in for paper."""
        return PrinterState(True, f"preview into {self.folder}")


# -------------------------------------------------------------------- memory


class MemoryPrinter:
    """An in-memory printer for tests, with a switch to simulate going offline."""

    def __init__(self) -> None:
        """Start online with no jobs."""
        self.name = "memory:"
        self.jobs: list[bytes] = []
        self._online = True
        self._lock = threading.Lock()

    @property
    def online(self) -> bool:
        """Whether send() succeeds."""
        with self._lock:
            return self._online

    @online.setter
    def online(self, value: bool) -> None:
        """Switch the simulated printer on or off."""
        with self._lock:
            self._online = value

    def send(self, data: bytes) -> None:
        """Record the job, or raise PrinterError("offline") when switched off."""
        with self._lock:
            if not self._online:
                raise PrinterError("offline", "memory printer is switched off")
            self.jobs.append(bytes(data))

    def probe(self) -> PrinterState:
        """Report the simulated power state."""
        if self.online:
            return PrinterState(True, "memory printer is on")
        return PrinterState(False, "offline: memory printer is switched off")


# ----------------------------------------------------------------------- url

_URL_HELP = (
    "expected tcp://HOST[:PORT], usb://VID:PID (hex), serial:///dev/DEVICE[?baudrate=N], "
    "file:///PATH, preview: or memory:"
)


def _query(url: str, raw: str, allowed: frozenset[str]) -> dict[str, str]:
    """Parse a query string, rejecting unknown or repeated keys (likely typos)."""
    values = parse_qs(raw, keep_blank_values=True, strict_parsing=False)
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"printer URL {url!r}: unknown option(s) {sorted(unknown)}")
    result: dict[str, str] = {}
    for key, items in values.items():
        if len(items) != 1:
            raise ValueError(f"printer URL {url!r}: option {key!r} given more than once")
        result[key] = items[0]
    return result


def _number(url: str, options: dict[str, str], key: str, kind: type, default: Any) -> Any:
    """Read a numeric option, with a clear error instead of a bare int() failure."""
    if key not in options:
        return default
    try:
        value = kind(options[key])
    except ValueError:
        raise ValueError(f"printer URL {url!r}: {key} must be a number") from None
    if value <= 0:
        raise ValueError(f"printer URL {url!r}: {key} must be positive")
    return value


def _usb_ids(url: str, netloc: str) -> tuple[int, int]:
    """Parse "04b8:0e15" (hex vendor:product, optional 0x prefixes)."""
    parts = netloc.lower().split(":")
    if len(parts) == 2:
        try:
            ids = [int(p.removeprefix("0x"), 16) for p in parts]
        except ValueError:
            ids = []
        if len(ids) == 2 and all(0 <= i <= 0xFFFF for i in ids) and all(parts):
            return ids[0], ids[1]
    raise ValueError(f"printer URL {url!r}: USB ids must look like usb://04b8:0e15")


def printer_from_url(url: str, preview_folder: Path) -> Printer:
    """Build a printer from the one-line setting an installer types.

    A URL keeps the setting a single string that can be shown, copied and
    validated. Every transport accepts ``?timeout=SECONDS``; serial also
    ``baudrate``. Anything unexpected raises ValueError naming the problem,
    so a typo is reported when the setting is saved, not when a citizen is
    waiting for a ticket.
    """
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        options = _query(text, parts.query, frozenset({"timeout"}))
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"printer URL {url!r}: invalid port") from None
        if not parts.hostname or parts.path not in ("", "/"):
            raise ValueError(f"printer URL {url!r}: expected tcp://HOST[:PORT]")
        return NetworkPrinter(
            parts.hostname,
            port if port is not None else 9100,
            timeout=_number(text, options, "timeout", float, 5.0),
        )
    if scheme == "usb":
        options = _query(text, parts.query, frozenset({"timeout"}))
        if parts.path not in ("", "/"):
            raise ValueError(f"printer URL {url!r}: expected usb://VID:PID")
        vendor, product = _usb_ids(text, parts.netloc)
        return UsbPrinter(vendor, product, timeout=_number(text, options, "timeout", float, 5.0))
    if scheme == "serial":
        options = _query(text, parts.query, frozenset({"timeout", "baudrate"}))
        device = unquote(parts.path)
        if parts.netloc or not device.startswith("/") or device == "/":
            raise ValueError(f"printer URL {url!r}: expected serial:///dev/DEVICE")
        return SerialPrinter(
            device,
            baudrate=_number(text, options, "baudrate", int, 19200),
            timeout=_number(text, options, "timeout", float, 5.0),
        )
    if scheme == "file":
        options = _query(text, parts.query, frozenset({"timeout"}))
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not path.startswith("/") or path == "/":
            raise ValueError(f"printer URL {url!r}: expected file:///PATH")
        return FilePrinter(path, timeout=_number(text, options, "timeout", float, 5.0))
    if scheme in ("preview", "memory"):
        if parts.netloc or parts.path or parts.query or parts.fragment:
            raise ValueError(f"printer URL {url!r}: {scheme}: takes no arguments")
        return PreviewPrinter(preview_folder) if scheme == "preview" else MemoryPrinter()
    raise ValueError(f"unsupported printer URL {url!r}: {_URL_HELP}")
