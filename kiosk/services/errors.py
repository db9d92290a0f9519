"""The one error type services raise for anything a person did wrong; pages translate its key."""

from __future__ import annotations

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
