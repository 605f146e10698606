"""What the citizen window shows, decided by the officer's screens and nothing else.

Screens call ``show``; the citizen window listens to ``page_changed`` only, so it cannot show
what no screen chose to show. The page goes blank between citizens, after ``IDLE_BLANK_MS`` of
no new page, and while the station is locked (nothing personal faces the queue then).

The citizen types their own phone number (and e-mail) on a page that asks for it
(``CitizenPage.entry``). What they type and what the officer types are one ``ContactEntry``
held here: both screens show it as it changes (``contact_changed``), and the citizen's "go on"
(``contact_submitted``) is heard by the officer's contact step, which hands the entry to the
same service call as the officer's Enter. The view model never judges the number.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.i18n import N_
from kiosk.ui.citizen.pictures import Picture

IDLE_BLANK_MS = 60_000


@dataclass(frozen=True, slots=True)
class CitizenPage:
    """One page for the citizen: a short title and what to do now, as Vietnamese source texts.

    Attributes:
        values: values filled into the texts' ``{name}`` fields (what the citizen may see).
        details: the citizen's data and the consent text to read before confirming (shown
            as written, never translated).
        confirm: the Vietnamese source text of the button the citizen presses to confirm, or
            None when the page asks nothing of them.
        picture: the drawing of what to do now, shown above the text (None: no picture).
        entry: the page asks the citizen to type their phone number and e-mail.
    """

    title: str
    instruction: str
    values: tuple[tuple[str, str], ...] = ()
    details: str = ""
    confirm: str | None = None
    picture: Picture | None = None
    entry: bool = False

    @property
    def asks(self) -> bool:
        """Whether the citizen is asked to act (confirm or type): such a page never blanks."""
        return self.confirm is not None or self.entry


@dataclass(frozen=True, slots=True)
class ContactEntry:
    """The phone number and e-mail as typed so far, by the citizen or the officer (unjudged)."""

    phone: str = ""
    email: str = ""


PREPARING = CitizenPage(
    N_("Quầy đang chuẩn bị"),
    N_("Cán bộ đang kiểm tra thiết bị. Xin vui lòng chờ trong giây lát."),
    picture=Picture.WAIT,
)


class CitizenViewModel(QObject):
    """The one source of the citizen window's content; emits None for the blank page."""

    page_changed = Signal(object)
    confirmed = Signal()
    contact_changed = Signal(object)
    contact_submitted = Signal()

    def __init__(self, idle_ms: int = IDLE_BLANK_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.page: CitizenPage | None = None
        self.contact = ContactEntry()
        self.locked = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_ms)
        self._idle.timeout.connect(self.blank)

    def show(self, page: CitizenPage) -> None:
        """Show ``page`` (ignored while locked) and restart the idle countdown."""
        if self.locked:
            return
        self.page = page
        if page.asks:  # the citizen is reading or typing: never blank the page on them
            self._idle.stop()
        else:
            self._idle.start()
        self.page_changed.emit(page)

    def confirm(self) -> None:
        """The citizen pressed the page's confirm button; heard only while such a page is up."""
        if self.page is not None and self.page.confirm is not None and not self.locked:
            self.confirmed.emit()

    def set_contact(self, entry: ContactEntry) -> None:
        """Either side typed: keep ``entry`` and show it on both screens (ignored while locked)."""
        if self.locked or entry == self.contact:
            return
        self.contact = entry
        self.contact_changed.emit(entry)

    def submit_contact(self) -> None:
        """The citizen asked to go on with what they typed; heard only while entry is asked."""
        if self.page is not None and self.page.entry and not self.locked:
            self.contact_submitted.emit()

    def blank(self) -> None:
        """Show nothing: between citizens, after idle time, on lock."""
        self._idle.stop()
        self.page = None
        self.page_changed.emit(None)

    def set_locked(self, locked: bool) -> None:
        """Blank the window while locked; after unlocking, screens show their pages again."""
        self.locked = locked
        if locked:
            self.blank()
