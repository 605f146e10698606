"""A pseudo-locale built from the extracted texts: every translated text is wrapped in ⟪ ⟫, so a
visible text without the wrapping did not come from the catalogue."""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

ROOT = Path(__file__).resolve().parents[2]
OPEN, CLOSE = "⟪", "⟫"
WRAPPED = re.compile(f"{OPEN}[^{CLOSE}]*{CLOSE}")


@functools.cache  # extraction reads every source file (seconds); the catalogue is only read
def _extract() -> Catalog:
    spec = importlib.util.spec_from_file_location(
        "update_catalogue", ROOT / "tools/update_catalogue.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    catalogue: Catalog = module.extract()
    return catalogue


def build_pseudo_locale(folder: Path) -> Path:
    """Write ``folder/pseudo/LC_MESSAGES/kiosk.mo``; return ``folder`` (the locale directory)."""
    source = _extract()
    pseudo = Catalog(locale="en", domain="kiosk")
    for message in source:
        if message.id:
            pseudo.add(message.id, f"{OPEN}{message.id}{CLOSE}")
    target = folder / "pseudo" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "kiosk.mo").open("wb") as handle:
        write_mo(handle, pseudo)
    return folder


def unwrapped_text(text: str) -> str:
    """What is left of ``text`` once every catalogue text is removed."""
    return WRAPPED.sub("", text)
