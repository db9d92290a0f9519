"""A bare HTTP/1.1 client on a socket: httpx always finishes sending a body before it reads the answer, so
it cannot show that the server answers (and stops reading) long before a 50 MB body is through."""

from __future__ import annotations

import select
import socket
from dataclasses import dataclass

PIECE = b"a" * (64 * 1024)


@dataclass
class RawAnswer:
    status: int
    body: str
    sent: int          # body bytes the server let us send before it answered or closed


def _read_answer(sock: socket.socket) -> tuple[int, str]:
    data = b""
    sock.settimeout(30)
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), None)
        if length is not None and len(rest) >= length:
            break
    if not data:
        return 0, ""
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")


def post_streaming(port: int, path: str, total: int, *, content_type: str, declared: int | None = None,
                   chunked: bool = False) -> RawAnswer:
    """POST up to `total` body bytes to 127.0.0.1:`port`, stopping as soon as the server answers.

    `declared` is the Content-Length sent (None with `chunked`): it may lie about what follows."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        headers = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Type: {content_type}",
                   "Connection: close"]
        headers.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {declared}")
        sock.sendall(("\r\n".join(headers) + "\r\n\r\n").encode())
        sent = 0
        try:
            while sent < total:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break  # the server has answered (or closed): stop, as a browser would
                piece = PIECE[: total - sent]
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            if chunked and sent >= total:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, body = _read_answer(sock)
        return RawAnswer(status, body, sent)
    finally:
        sock.close()


def get_raw(port: int, target: str) -> tuple[int, bytes]:
    """GET with the request target exactly as given: httpx would resolve `../` and re-encode before sending."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return (int(head.split(b" ", 2)[1]) if head else 0), body
