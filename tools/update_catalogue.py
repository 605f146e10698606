"""Extract every text marked with _() or N_() under kiosk/ and merge it into the catalogues.

Usage: .venv/bin/python tools/update_catalogue.py
New texts appear in kiosk/locale/en/LC_MESSAGES/kiosk.po with an empty translation; fill them in,
then run tools/compile_catalogues.py (setup.sh and the build do that too). The test suite fails
while any marked text lacks an English translation.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kiosk"
LANGUAGES = ("en",)
KEYWORDS = {"_": None, "N_": None}


def extract() -> Catalog:
    """Every marked text in the package, with where it is used."""
    template = Catalog(project="kiosk", domain="kiosk")
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
    ):
        if isinstance(message, str):
            template.add(message, locations=[(f"kiosk/{filename}", lineno)], context=context)
    return template


def update(language: str, template: Catalog) -> Path:
    """Merge ``template`` into the catalogue of ``language``; keep existing translations."""
    path = PACKAGE / "locale" / language / "LC_MESSAGES" / "kiosk.po"
    if path.exists():
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        catalogue.update(template, no_fuzzy_matching=True)
    else:
        catalogue = Catalog(locale=language, project="kiosk", domain="kiosk")
        catalogue.update(template, no_fuzzy_matching=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=100, sort_output=True, ignore_obsolete=True)
    return path


if __name__ == "__main__":
    extracted = extract()
    for lang in LANGUAGES:
        print(f"updated {update(lang, extracted).relative_to(ROOT)}")
