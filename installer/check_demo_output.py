"""Check the JSON of ``kiosk demo --headless --json``: the keys of the design, a finished run.

Used by the wheel and frozen-build smoke tests, so a bundling mistake that breaks a stage
fails CI with the stage's name.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REQUIRED = {
    "application_id",
    "application_state",
    "delivery_state",
    "server_verdict",
    "receipt_pdf",
    "stages",
    "data_dir",
    "demo",
}


def main(path: Path) -> int:
    """Exit 0 when the report is complete and every stage succeeded."""
    report = json.loads(path.read_text(encoding="utf-8"))
    missing = REQUIRED - set(report)
    failed = [s for s in report.get("stages", []) if s.get("outcome") != "ok"]
    if missing or failed or report.get("demo") is not True:
        print(f"headless demo report incomplete: missing={sorted(missing)} failed={failed}")
        return 1
    stages = ", ".join(f"{s['name']} {s['ms']:.0f} ms" for s in report["stages"])
    print(f"headless demo: {report['application_state']} ({stages})")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
