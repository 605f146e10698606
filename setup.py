"""Build hook: compile the gettext catalogues so wheels and editable installs carry them."""

import sys
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
from compile_catalogues import compile_catalogues


class BuildWithCatalogues(build_py):
    """Compile .po to .mo before the package files are collected."""

    def run(self) -> None:
        compile_catalogues()
        super().run()


# Every folder is listed (data folders as namespace packages), and the top-level resources/
# folder ships inside the package as kiosk.resources.
_SKIP = ["*.__pycache__", "*.__pycache__.*"]
PACKAGES = [
    *find_namespace_packages(include=["kiosk", "kiosk.*", "central", "central.*"], exclude=_SKIP),
    "kiosk.resources",
    *(f"kiosk.resources.{n}" for n in find_namespace_packages(where="resources", exclude=_SKIP)),
]

setup(
    cmdclass={"build_py": BuildWithCatalogues},
    packages=PACKAGES,
    package_dir={"kiosk.resources": "resources"},
    package_data={
        "": [
            "*.mo",
            "*.mako",
            "*.toml",
            "*.jpg",
            "*.png",
            "*.ttf",
            "*.md",
            "*.pem",
            "*.json",
            "py.typed",
        ]
    },
)
