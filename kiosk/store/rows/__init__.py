"""ORM rows, one module per aggregate; importing this package registers every table.

Personal fields are ``LargeBinary`` columns holding sealed values (``kiosk.store.crypto``). They
are sealed and opened by the repositories, not by TypeDecorators: the key is the application's own
data key and the associated data needs the table, column and row id, neither of which a column
type can see. Rows never leave ``kiosk.store``; repositories map them to domain objects.
"""

from kiosk.store.rows.application import ApplicationRow, DataKeyRow
from kiosk.store.rows.audit import AuditRow
from kiosk.store.rows.biometric import PortraitRow
from kiosk.store.rows.evidence import EvidenceRow
from kiosk.store.rows.keyring import KeyringRow
from kiosk.store.rows.outbox import OutboxPayloadRow, OutboxRow, SyncStateRow
from kiosk.store.rows.settings import SettingRow
from kiosk.store.rows.user import UserRow

__all__ = [
    "ApplicationRow",
    "AuditRow",
    "DataKeyRow",
    "EvidenceRow",
    "KeyringRow",
    "OutboxPayloadRow",
    "OutboxRow",
    "PortraitRow",
    "SettingRow",
    "SyncStateRow",
    "UserRow",
]
