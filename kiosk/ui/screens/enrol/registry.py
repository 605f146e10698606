"""The officer's step screens, built once for the main window's stack.

The main window calls ``enrolment_screens`` and connects each screen's ``open_screen``; the
screens share one ``EnrolmentFlow`` (the application in progress at this counter).
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.domain.users import User
from kiosk.ui.context import ShellContext
from kiosk.ui.models.enrolment import EnrolmentFlow
from kiosk.ui.printing import default_printer
from kiosk.ui.screens.enrol.access import AccessScreen
from kiosk.ui.screens.enrol.base import (
    ACCESS,
    CHIP,
    CONFIRM,
    CONTACT,
    DOCUMENTS,
    DONE,
    FACE,
    EnrolContext,
    FlowScreen,
)
from kiosk.ui.screens.enrol.chip import ChipScreen
from kiosk.ui.screens.enrol.confirm import ConfirmScreen
from kiosk.ui.screens.enrol.contact import ContactScreen
from kiosk.ui.screens.enrol.documents import DocumentScreen
from kiosk.ui.screens.enrol.done import DoneScreen
from kiosk.ui.screens.enrol.face import FaceScreen


def flow_context(shell: ShellContext, user: Callable[[], User | None]) -> EnrolContext:
    """The step screens' context over the shell's services, devices and printer."""
    services = shell.services
    flow = EnrolmentFlow(services.enrolment, services.records, services.receipts)
    return EnrolContext(
        flow=flow,
        runner=shell.runner,
        counter=shell.counter,
        citizen=shell.citizen,
        session=services.session,
        receipts=services.receipts,
        printer=shell.printer or default_printer,
        user=user,
    )


def enrolment_screens(context: EnrolContext) -> dict[str, FlowScreen]:
    """The officer's steps by screen name."""
    documents = DocumentScreen(context)
    return {
        ACCESS: AccessScreen(context),
        CHIP: ChipScreen(context),
        FACE: FaceScreen(context),
        DOCUMENTS: documents,
        CONTACT: ContactScreen(context, documents),
        CONFIRM: ConfirmScreen(context),
        DONE: DoneScreen(context),
    }
