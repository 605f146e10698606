"""Print the first fenced code block under a README heading, so CI runs it verbatim.

Usage: readme_block.py HEADING [README]. ``readme_block.py Install`` prints the commands of
``## Install``; CI runs them with bash, so the documented install is the tested one. Exits 1
when the heading or its block is missing, so a renamed section fails CI instead of testing
nothing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FENCE = re.compile(r"^```[\w-]*\s*$")


def block_under(text: str, heading: str) -> str | None:
    """The first fenced block between ``## heading`` and the next ``## `` heading, or None."""
    lines = text.splitlines()
    try:
        start = lines.index(f"## {heading}")
    except ValueError:
        return None
    inside: list[str] | None = None
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            return None
        if FENCE.match(line):
            if inside is not None:
                return "\n".join(inside) + "\n"
            inside = []
        elif inside is not None:
            inside.append(line)
    return None


def main(argv: list[str]) -> int:
    """Print the block; 1 when it is missing."""
    readme = Path(argv[2]) if len(argv) > 2 else Path(__file__).resolve().parents[1] / "README.md"
    block = block_under(readme.read_text(encoding="utf-8"), argv[1])
    if block is None:
        print(f"readme_block: no fenced block under '## {argv[1]}'", file=sys.stderr)
        return 1
    sys.stdout.write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
