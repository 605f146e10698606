"""Fixtures for the simulated chip: one test PKI per session, cards built from demo citizens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.devices.sim import citizens, pki
from kiosk.devices.sim.chip.faults import Fault
from kiosk.devices.sim.chip.os import ChipOS
from kiosk.devices.sim.chip.profile import CardProfile, build_profile
from kiosk.emrtd.auth.trust import TrustStore

FACTS_ID = "001090001234"
"""The synthetic CCCD of facts/cccd.md §1.2 and §5.5 (demo citizen 3)."""

ProfileFactory = Callable[..., CardProfile]


@pytest.fixture(scope="session")
def pki_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data folder's PKI folder, generated once for the whole session."""
    folder = tmp_path_factory.mktemp("pki")
    pki.load_or_create(folder)
    return folder


@pytest.fixture(scope="session")
def trust(pki_folder: Path) -> TrustStore:
    """A trust store holding only the installation's test CSCA."""
    return TrustStore.load(pki.load_or_create(pki_folder).trust_dir)


@pytest.fixture(scope="session")
def make_profile(pki_folder: Path) -> ProfileFactory:
    """Build (and cache) the card of a demo citizen, optionally with a fault."""
    cache: dict[tuple[str, Fault | None], CardProfile] = {}

    def build(id_number: str = FACTS_ID, fault: Fault | None = None) -> CardProfile:
        if (id_number, fault) not in cache:
            cache[id_number, fault] = build_profile(citizens.find(id_number), pki_folder, fault)
        return cache[id_number, fault]

    return build


@pytest.fixture
def chip(make_profile: ProfileFactory) -> ChipOS:
    """A freshly powered chip of the facts citizen, no fault."""
    return ChipOS(make_profile())
