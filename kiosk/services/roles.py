"""Who may change what, checked by the service itself: a page that forgets to hide a button, an API route
with the wrong dependency, or a tab left open after a role was lowered must not be able to act.

Services know their caller by the `actor` name every surface already passes: an operator account's
username, `token:NAME` for a machine token, or a name no account carries (`cli`, `demo`, `import`,
`nightly`, ...) for the office's own programs, which act with the machine's full authority. An account or
token that exists must be active (not revoked) and hold at least the role the action needs.
"""

from __future__ import annotations

from kiosk.db import reading
from kiosk.models import ApiToken, User
from kiosk.services.accounts import ROLE_RANK
from kiosk.services.errors import Forbidden


def actor_role(actor: str) -> str | None:
    """The role behind an actor name, '' for a disabled account or revoked token, None for a program."""
    with reading():
        if actor.startswith("token:"):
            token = ApiToken.get_or_none(ApiToken.name == actor.removeprefix("token:"))
            if token is not None:
                return "" if token.revoked_at is not None else token.role
            return ""
        user = User.get_or_none(User.username == actor)
    if user is None:
        return None
    return user.role if user.active else ""


def require_role(actor: str, needed: str) -> None:
    """Raise Forbidden unless `actor` may do what needs `needed` (see the module docstring)."""
    role = actor_role(actor)
    if role is None:
        return
    if ROLE_RANK.get(role, -1) < ROLE_RANK[needed]:
        raise Forbidden()
