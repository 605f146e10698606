"""The audit log's hash chain, as pure functions (design.md, "every transition ... audit record").

Each entry's hash covers the previous entry's hash and the entry's own canonical fields, and a
MAC over that hash is made with a key the database does not hold. So an edit, a deletion or a
reordering breaks the chain, and whoever rewrites the chain and recomputes the hashes still
cannot make the MACs. Cutting the newest entries off is only visible against a known head
(``expected_head``, kept outside the database, for example the last hash sent to the server).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.application import AuditFact
from kiosk.domain.clock import is_aware_utc

GENESIS_HASH = bytes(32)
"""The "previous hash" of the first entry."""

MacFunction = Callable[[bytes], bytes]
"""Makes the MAC of an entry hash under the audit key (held by the caller, never here)."""

DetailValue = str | int | bool


@dataclass(frozen=True, slots=True)
class AuditFields:
    """The part of an entry that is hashed: what happened, without any personal data.

    Attributes:
        sequence: 1 for the first entry, then +1 each; a gap means a deleted entry.
        actor: the user id (as text) or a system actor name such as ``"relay"``.
        subject: the id of what was acted on (application, user, setting), as text.
        details: codes and counts only (reason codes, states, flags), never names or numbers
            that identify a citizen.
    """

    sequence: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: Mapping[str, DetailValue]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored audit record: its fields, the link to its predecessor, its hash and MAC."""

    fields: AuditFields
    prev_hash: bytes
    entry_hash: bytes
    mac: bytes


def canonical(fields: AuditFields) -> bytes:
    """The one byte string that represents ``fields``: sorted-key compact ASCII JSON.

    Times are written as UTC with microseconds, so one instant has one spelling; values are
    only text, integers and booleans (floats have more than one spelling).

    Raises:
        ValueError: a naive or non-UTC time, or a detail value of another type.
    """
    if not is_aware_utc(fields.at):
        raise ValueError("audit times are aware UTC datetimes")
    for value in fields.details.values():
        if not isinstance(value, str | int):  # bool is an int
            raise ValueError("audit details are text, integers or booleans")
    document = {
        "sequence": fields.sequence,
        "at": fields.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": fields.actor,
        "action": fields.action,
        "subject": fields.subject,
        "details": dict(fields.details),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(prev_hash: bytes, fields: AuditFields) -> bytes:
    """SHA-256 over the previous entry's hash and this entry's canonical fields."""
    return hashlib.sha256(prev_hash + canonical(fields)).digest()


def seal(previous: AuditEntry | None, fields: AuditFields, mac_fn: MacFunction) -> AuditEntry:
    """The next entry of the chain after ``previous`` (None for the first entry)."""
    prev_hash = GENESIS_HASH if previous is None else previous.entry_hash
    digest = entry_hash(prev_hash, fields)
    return AuditEntry(fields, prev_hash, digest, mac_fn(digest))


def verify_chain(
    entries: Sequence[AuditEntry], mac_fn: MacFunction, *, expected_head: bytes | None = None
) -> int | None:
    """The index of the first entry that breaks the chain, or None when all is intact.

    Checks, entry by entry: the sequence number follows on, the link names the predecessor's
    hash, the hash matches the fields, and the MAC matches the hash. With ``expected_head``,
    a chain whose last hash differs (entries cut off the end) fails at ``len(entries)``.
    """
    prev_hash = GENESIS_HASH
    for index, entry in enumerate(entries):
        if not _entry_ok(entry, index + 1, prev_hash, mac_fn):
            return index
        prev_hash = entry.entry_hash
    if expected_head is not None and not hmac.compare_digest(prev_hash, expected_head):
        return len(entries)
    return None


def _entry_ok(entry: AuditEntry, sequence: int, prev_hash: bytes, mac_fn: MacFunction) -> bool:
    try:
        digest = entry_hash(entry.prev_hash, entry.fields)
    except ValueError:
        return False
    return (
        entry.fields.sequence == sequence
        and hmac.compare_digest(entry.prev_hash, prev_hash)
        and hmac.compare_digest(entry.entry_hash, digest)
        and hmac.compare_digest(entry.mac, mac_fn(digest))
    )


def fields_of(fact: AuditFact, sequence: int) -> AuditFields:
    """The audit fields for an application's change, so every change is logged the same way."""
    details: dict[str, DetailValue] = {"to_state": fact.to_state.value}
    if fact.from_state is not None:
        details["from_state"] = fact.from_state.value
    if fact.reason_code is not None:
        details["reason_code"] = fact.reason_code.value
    if fact.four_eyes_relaxed:
        details["four_eyes_relaxed"] = True
    return AuditFields(
        sequence, fact.at, str(fact.actor), fact.action.value, str(fact.subject), details
    )
