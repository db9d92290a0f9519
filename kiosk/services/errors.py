"""The one error type services raise for anything a person did wrong; pages translate its key."""

from __future__ import annotations

import errno
from typing import Any


class ServiceError(Exception):
    """A refused request. `key` names a string in the i18n tables; `params` fill its placeholders.

    `status` is the HTTP status the API answers with, so every surface maps the same error the same way.
    """

    def __init__(self, key: str, status: int = 400, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.params = params


class NotFound(ServiceError):
    def __init__(self, key: str = "error.not_found", **params: Any) -> None:
        super().__init__(key, status=404, **params)


class Forbidden(ServiceError):
    def __init__(self, key: str = "error.forbidden", **params: Any) -> None:
        super().__init__(key, status=403, **params)


SQLITE_FULL = 13  # sqlite3's primary result code for "database or disk is full"
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


class DiskFull(ServiceError):
    """The data disk (SD card) is full: nothing of the request was written; reads still work.

    A ServiceError, so every surface that already shows a refused request (the API's JSON error, a page's
    notification, the CLI's message) shows this one the same way, without a try/except of its own."""

    def __init__(self) -> None:
        super().__init__("disk.full", status=507)


def is_disk_full(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it: peewee wraps sqlite3's errors) means there is no space left.

    SQLite says SQLITE_FULL ("database or disk is full"); file writes say ENOSPC (or EDQUOT, a quota)."""
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, DiskFull):
            return True
        if isinstance(error, OSError) and error.errno in NO_SPACE:
            return True
        if getattr(error, "sqlite_errorcode", None) == SQLITE_FULL:
            return True
        if type(error).__name__ in ("OperationalError", "DatabaseError") and "database or disk is full" in str(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def as_service_error(error: BaseException) -> ServiceError | None:
    """The ServiceError a person should see for `error`, or None when it is a bug (shown as unexpected)."""
    if isinstance(error, ServiceError):
        return error
    if is_disk_full(error):
        return DiskFull()
    return None
