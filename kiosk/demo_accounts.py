"""The demo's accounts: an administrator, a supervisor and an officer, made on first use.

Their passwords are random, shown once when they are made (the desktop demo prints them in the
terminal); the command line in demo mode acts as them without a password.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from kiosk.domain.users import Role, User

if TYPE_CHECKING:
    # The desktop app imports this module on its way to the login screen, before the kiosk
    # (and the stack under it) is composed.
    from kiosk.app import Kiosk

ADMIN, SUPERVISOR, OFFICER = "quantri", "lanhdao", "canbo"

_ACCOUNTS = (
    (ADMIN, "Quản Trị Viên (DEMO)", "DEMO-QT", Role.ADMIN),
    (SUPERVISOR, "Lê Thị Lãnh Đạo (DEMO)", "DEMO-LD", Role.SUPERVISOR),
    (OFFICER, "Trần Văn Cán Bộ (DEMO)", "DEMO-CB", Role.OFFICER),
)


def ensure_demo_accounts(kiosk: Kiosk) -> dict[str, str]:
    """Create the demo accounts that are missing; return the new ones' passwords by username."""
    users = kiosk.services.users
    made: dict[str, str] = {}
    admin: User | None = None
    if users.is_empty():
        made[ADMIN] = secrets.token_urlsafe(12)
        admin = users.add(
            None, username=ADMIN, full_name=_ACCOUNTS[0][1], service_number=_ACCOUNTS[0][2],
            role=Role.ADMIN, password=made[ADMIN],
        )  # fmt: skip
    admin = admin or kiosk.services.session.assume_demo_user(ADMIN)
    existing = {user.username for user in users.list(admin)}
    for username, full_name, number, role in _ACCOUNTS[1:]:
        if username not in existing:
            made[username] = secrets.token_urlsafe(12)
            users.add(
                admin, username=username, full_name=full_name, service_number=number,
                role=role, password=made[username],
            )  # fmt: skip
    return made
