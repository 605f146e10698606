"""Dead-code gate: vulture over the product (with the tests as users), keeping real findings.

At 60 % confidence vulture also lists every dataclass field and enum member that only
serialisation, the database or the JSON output reads; those are not dead, and whitelisting
hundreds of them would bury the real findings. So this keeps unused functions, methods,
classes, properties, imports and anything vulture is at least 90 % sure of, and fails when
any is left. Framework hooks go in ``ignore_names`` under ``[tool.vulture]`` in pyproject.toml.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEPT_KINDS = (
    "unused function",
    "unused method",
    "unused class",
    "unused property",
    "unused import",
)


def findings() -> list[str]:
    """Vulture's report lines that point at dead code."""
    done = subprocess.run(
        [sys.executable, "-m", "vulture"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    # Tests are scanned so that API they exercise counts as used, but their own fixtures and
    # hooks are called by pytest, which vulture cannot see: only the product is judged.
    lines = [line for line in done.stdout.splitlines() if line.startswith("kiosk/")]
    return [line for line in lines if any(kind in line for kind in KEPT_KINDS) or _sure(line)]


def _sure(line: str) -> bool:
    confidence = line.rsplit("(", 1)[-1].removesuffix("% confidence)")
    return confidence.isdigit() and int(confidence) >= 90


if __name__ == "__main__":
    dead = findings()
    for line in dead:
        print(line)
    sys.exit(1 if dead else 0)
