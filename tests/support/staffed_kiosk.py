"""A kiosk's accounts made once per module, and a copy of its data folder for each test.

Each account costs an Argon2 hash (about a second on a loaded machine) and a new store its
migrations. Tests that only need the accounts to exist start from a copy of a data folder
where they were made once, through the same services, and build their own kiosk on the copy.
Nothing in the data folder names its own path, so a copy opens as the original does.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.app import Kiosk, build
from kiosk.config import Settings
from kiosk.domain.clock import Clock
from kiosk.domain.users import User


@dataclass(frozen=True)
class Staffed:
    """A closed kiosk data folder holding ``people``'s accounts."""

    data_dir: Path
    people: dict[str, User]

    def copy_to(self, settings: Settings) -> None:
        """Lay a copy of the folder where ``settings`` keeps its data (not there yet)."""
        shutil.copytree(self.data_dir, settings.data_dir)


def make_staffed(
    settings: Settings, clock: Clock, add_people: Callable[[Kiosk], dict[str, User]]
) -> Staffed:
    """Build a kiosk on ``settings``, let ``add_people`` make its accounts, and close it."""
    kiosk = build(settings, clock)
    try:
        people = add_people(kiosk)
    finally:
        close(kiosk)
    return Staffed(settings.data_dir, people)


def close(kiosk: Kiosk) -> None:
    """Release the kiosk's database connections (a test closes every kiosk it builds)."""
    kiosk.operations.engine.dispose()


def kiosk_on(request: pytest.FixtureRequest, settings: Settings, clock: Clock) -> Iterator[Kiosk]:
    """The body of a ``kiosk`` fixture: a kiosk built on ``settings``, closed after the test.

    When the test asks for ``people`` it starts from a copy of the module's ``staffed`` folder.
    """
    if "people" in request.fixturenames:
        staffed: Staffed = request.getfixturevalue("staffed")
        staffed.copy_to(settings)
    built = build(settings, clock)
    yield built
    close(built)
