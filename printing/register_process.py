"""Render a register PDF in a child process.

WeasyPrint needs ~20 ms and a lot of memory per table row (a 10,000-row Buku Induk: minutes and ~2.7 GB
at peak). Inside the office server that would starve the kiosk and could get the whole server killed on
a small Pi; in a short-lived, lower-priority child the memory goes back to the system when it exits and
the server only waits on a pipe.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from printing.register_pdf import RegisterHeader, RegisterTable, render_register_pdf


class RenderError(RuntimeError):
    """The child failed or took too long; the message says which."""


def render_register_pdf_isolated(table: RegisterTable, header: RegisterHeader, paper: str = "F4",
                                 timeout: float = 1800.0) -> bytes:
    """Same result as `render_register_pdf`, computed by `python -m printing.register_process`."""
    payload = pickle.dumps((table, header, paper))
    try:
        result = subprocess.run([sys.executable, "-m", "printing.register_process"], input=payload,
                                capture_output=True, timeout=timeout, check=False,
                                preexec_fn=lambda: os.nice(10))  # noqa: PLW1509 - only sets the niceness
    except subprocess.TimeoutExpired as error:
        raise RenderError(f"register PDF took longer than {timeout:.0f} s") from error
    if result.returncode != 0 or not result.stdout.startswith(b"%PDF"):
        raise RenderError(result.stderr.decode(errors="replace")[-500:] or f"exit {result.returncode}")
    return result.stdout


def main() -> None:
    """Child side: a pickled (table, header, paper) on stdin, the PDF bytes on stdout."""
    table, header, paper = pickle.loads(sys.stdin.buffer.read())
    if not isinstance(table, RegisterTable) or not isinstance(header, RegisterHeader):
        raise SystemExit("expected a RegisterTable and a RegisterHeader")
    sys.stdout.buffer.write(render_register_pdf(table, header, paper))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
