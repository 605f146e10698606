"""``kiosk demo --headless``: one whole enrolment through the services, without a screen.

It is the end-to-end proof of what has landed: each capability adds its stage to
``kiosk.headless``. The run always happens in demo mode, in a fresh folder that is kept.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.commands.base import CommandContext, CommandResult
from kiosk.headless import run_headless_demo
from kiosk.i18n import _


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo``."""
    demo = groups.add_parser("demo", help=_("chạy thử trọn một hồ sơ trên thiết bị mô phỏng"))
    demo.add_argument(
        "--headless", action="store_true", required=True, help=_("không mở giao diện")
    )
    demo.add_argument("--json", action="store_true", help=_("in kết quả dạng JSON"))
    demo.add_argument(
        "--data-dir", type=Path, help=_("thư mục cho lần chạy (mặc định: thư mục mới)")
    )
    demo.set_defaults(handler=run, forces_demo=True)


def run(args: argparse.Namespace, context: CommandContext) -> CommandResult:
    """Run the demo and report its stages, timings and final states."""
    report = run_headless_demo(context.settings, args.data_dir)
    lines = [
        _("Hồ sơ {id}: {state}").format(
            id=report["application_id"], state=report["application_state"]
        )
    ]
    lines += [
        f"  {stage['name']:<10} {stage['ms']:>8.1f} ms  {stage['outcome']}"
        for stage in report["stages"]
    ]
    lines.append(_("Thư mục dữ liệu: {path}").format(path=report["data_dir"]))
    return CommandResult(report, "\n".join(lines))
