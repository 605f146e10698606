"""Build hook: compile the gettext catalogues so wheels and editable installs carry them."""

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
from compile_catalogues import compile_catalogues  # noqa: E402


class BuildWithCatalogues(build_py):
    """Compile .po to .mo before the package files are collected."""

    def run(self) -> None:
        compile_catalogues()
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
