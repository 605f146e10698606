"""The demo citizens: fictitious card holders the simulated chip is personalised for.

Each is a TOML file in ``resources/demo/citizens`` (shipped as ``kiosk.resources``) holding the
values printed on and stored in a CCCD, plus the file name of its portrait in
``resources/demo/faces``. Loading checks every value through ``kiosk.domain.citizen.Citizen``,
so a demo card never carries data the kiosk itself would refuse. ``kiosk card sim list`` and
``kiosk card read --sim CITIZEN`` find them here, by ID number or by the path of a TOML file.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from kiosk.domain.citizen import Citizen, Sex
from kiosk.domain.validators import ValidationFailed


class CitizenFileError(ValueError):
    """A citizen TOML file is missing a value, has one of the wrong type, or names no portrait."""


@dataclass(frozen=True, slots=True)
class CitizenRecord:
    """One simulated card holder.

    Attributes:
        citizen: the checked identity values (the chip's DG1 and DG13 are built from them).
        portrait: the portrait's file name in ``resources/demo/faces`` (a ~17 KB JPEG).
        source: where the record came from (a resource name or a file path), for messages.
    """

    citizen: Citizen
    portrait: str
    source: str

    def portrait_bytes(self) -> bytes:
        """The JPEG the chip's DG2 carries."""
        return (_faces() / self.portrait).read_bytes()


def list_citizens() -> tuple[CitizenRecord, ...]:
    """Every shipped demo citizen, in file-name order (the first is the default card)."""
    files = sorted(
        (item for item in _citizens().iterdir() if item.name.endswith(".toml")),
        key=lambda item: item.name,
    )
    return tuple(_load(item, f"demo/citizens/{item.name}") for item in files)


def find(reference: str) -> CitizenRecord:
    """The citizen named by ``reference``: a shipped citizen's ID number, or a TOML file path.

    Raises:
        LookupError: no shipped citizen has that ID number and no such file exists.
        CitizenFileError: the file is not a valid citizen record.
    """
    for record in list_citizens():
        if record.citizen.id_number == reference:
            return record
    path = Path(reference)
    if path.suffix == ".toml" and path.is_file():
        return load_file(path)
    raise LookupError("no simulated citizen has that ID number, and no such TOML file exists")


def load_file(path: Path) -> CitizenRecord:
    """Load one citizen TOML file from anywhere (a test's own citizen, for instance)."""
    return _load(path, str(path))


def _load(item: Traversable | Path, source: str) -> CitizenRecord:
    try:
        table = tomllib.loads(item.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise CitizenFileError(f"{source}: not valid TOML ({err})") from err
    portrait = _text(table, "portrait", source)
    if not (_faces() / portrait).is_file():
        raise CitizenFileError(f"{source}: portrait {portrait!r} is not in demo/faces")
    return CitizenRecord(_citizen(table, source), portrait, source)


def _citizen(table: dict[str, object], source: str) -> Citizen:
    def optional(name: str) -> str | None:
        value = table.get(name)
        if value is None or isinstance(value, str):
            return value
        raise CitizenFileError(f"{source}: {name} must be a string")

    try:
        return Citizen(
            id_number=_text(table, "id_number", source),
            full_name=_text(table, "full_name", source),
            date_of_birth=_date(table, "date_of_birth", source),
            sex=Sex(_text(table, "sex", source)),
            ethnicity=optional("ethnicity"),
            religion=optional("religion"),
            place_of_origin=optional("place_of_origin"),
            place_of_residence=optional("place_of_residence"),
            identifying_features=optional("identifying_features"),
            date_of_issue=_date(table, "date_of_issue", source),
            date_of_expiry=_date(table, "date_of_expiry", source),
            father_name=optional("father_name"),
            mother_name=optional("mother_name"),
            spouse_name=optional("spouse_name"),
            old_id_number=optional("old_id_number"),
        )
    except (ValueError, ValidationFailed) as err:
        raise CitizenFileError(f"{source}: {err}") from err


def _text(table: dict[str, object], name: str, source: str) -> str:
    value = table.get(name)
    if not isinstance(value, str):
        raise CitizenFileError(f"{source}: {name} must be a string")
    return value


def _date(table: dict[str, object], name: str, source: str) -> dt.date:
    value = table.get(name)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise CitizenFileError(f"{source}: {name} must be a TOML date (YYYY-MM-DD)")
    return value


def _citizens() -> Traversable:
    return resources.files("kiosk.resources") / "demo" / "citizens"


def _faces() -> Traversable:
    return resources.files("kiosk.resources") / "demo" / "faces"


PORTRAIT_SUFFIX = ".portrait.jpg"


def demo_face_photo(record: CitizenRecord) -> Path:
    """The photo the record's chip portrait was made from; the simulated camera shows it.

    ``grace_hopper.portrait.jpg`` was made from ``grace_hopper.jpg``, so the two share a stem.

    Raises:
        CitizenFileError: no photo with the portrait's stem is shipped.
    """
    stem = record.portrait.removesuffix(PORTRAIT_SUFFIX)
    for item in _faces().iterdir():
        if item.name != record.portrait and item.name.rsplit(".", 1)[0] == stem:
            return Path(str(item))
    raise CitizenFileError(f"{record.source}: no photo for the portrait {record.portrait}")
