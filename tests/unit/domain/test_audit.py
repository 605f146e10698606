from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kiosk.domain.application import (
    Action,
    ApplicationState,
    AuditFact,
    ReasonCode,
)
from kiosk.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditFields,
    canonical,
    entry_hash,
    fields_of,
    seal,
    verify_chain,
)
from kiosk.domain.ids import ApplicationId, UserId

KEY = b"k" * 32
T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def mac(digest: bytes) -> bytes:
    return hmac.new(KEY, digest, hashlib.sha256).digest()


def other_mac(digest: bytes) -> bytes:
    return hmac.new(b"x" * 32, digest, hashlib.sha256).digest()


def fields(sequence: int, action: str = "capture") -> AuditFields:
    at = T0 + timedelta(seconds=sequence)
    return AuditFields(sequence, at, "user-1", action, "app-1", {"to_state": "captured"})


def chain(length: int = 5, mac_fn=mac) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    entries: list[AuditEntry] = []
    for sequence in range(1, length + 1):
        entries.append(seal(entries[-1] if entries else None, fields(sequence), mac_fn))
    return entries


def rechain(entries: list[AuditEntry], mac_fn=mac) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    """What a forger without the key does: recompute every link and hash."""
    out: list[AuditEntry] = []
    for entry in entries:
        out.append(seal(out[-1] if out else None, entry.fields, mac_fn))
    return out


def test_intact_chain() -> None:
    entries = chain()
    assert entries[0].prev_hash == GENESIS_HASH
    assert verify_chain(entries, mac) is None
    assert verify_chain([], mac) is None
    assert verify_chain(entries, mac, expected_head=entries[-1].entry_hash) is None


def test_edit_is_found() -> None:
    entries = chain()
    entries[2] = replace(entries[2], fields=fields(3, action="approve"))
    assert verify_chain(entries, mac) == 2


def test_delete_is_found() -> None:
    entries = chain()
    del entries[1]
    assert verify_chain(entries, mac) == 1


def test_reorder_is_found() -> None:
    entries = chain()
    entries[1], entries[2] = entries[2], entries[1]
    assert verify_chain(entries, mac) == 1


def test_recomputed_hashes_without_the_key() -> None:
    entries = chain()
    entries[2] = replace(entries[2], fields=fields(3, action="approve"))
    forged = entries[:2] + rechain(entries)[2:]
    # Links and hashes are consistent again, but the MACs were made with the wrong key.
    forged = [*forged[:2], *(replace(e, mac=other_mac(e.entry_hash)) for e in forged[2:])]
    assert verify_chain(forged, mac) == 2


def test_renumbered_deletion_needs_the_key() -> None:
    entries = chain()
    kept = [entries[0], *entries[2:]]
    renumbered = [replace(e, fields=replace(e.fields, sequence=i + 1)) for i, e in enumerate(kept)]
    assert verify_chain(rechain(renumbered, other_mac), mac) == 0
    assert verify_chain(rechain(renumbered), mac) is None  # with the key, anything goes


def test_truncation_is_found_only_against_a_head() -> None:
    entries = chain()
    head = entries[-1].entry_hash
    assert verify_chain(entries[:-1], mac) is None
    assert verify_chain(entries[:-1], mac, expected_head=head) == 4


def test_a_bad_time_in_a_stored_entry_breaks_the_chain() -> None:
    entries = chain(2)
    naive = replace(entries[1].fields, at=datetime(2026, 1, 1))
    entries[1] = replace(entries[1], fields=naive)
    assert verify_chain(entries, mac) == 1


def test_canonical_form() -> None:
    record = AuditFields(1, T0, "u", "a", "s", {"b": 1, "a": "x", "c": True})
    assert canonical(record) == (
        b'{"action":"a","actor":"u","at":"2026-11-27T03:00:00.000000Z",'
        b'"details":{"a":"x","b":1,"c":true},"sequence":1,"subject":"s"}'
    )
    assert (
        entry_hash(GENESIS_HASH, record) == hashlib.sha256(bytes(32) + canonical(record)).digest()
    )


@pytest.mark.parametrize(
    "bad",
    [
        AuditFields(1, datetime(2026, 1, 1), "u", "a", "s", {}),
        AuditFields(1, T0.astimezone(timezone(timedelta(hours=7))), "u", "a", "s", {}),
        AuditFields(1, T0, "u", "a", "s", {"x": 1.5}),  # type: ignore[dict-item]
    ],
)
def test_canonical_refuses_ambiguous_values(bad: AuditFields) -> None:
    with pytest.raises(ValueError, match="audit"):
        canonical(bad)


def test_fields_of_a_fact() -> None:
    actor, subject = UserId(uuid.UUID(int=1)), ApplicationId(uuid.UUID(int=2))
    created = AuditFact(actor, T0, Action.CREATE, subject, None, ApplicationState.DRAFT)
    assert fields_of(created, 1) == AuditFields(
        1, T0, str(actor), "create", str(subject), {"to_state": "draft"}
    )
    approved = AuditFact(
        actor, T0, Action.REJECT, subject, ApplicationState.SUBMITTED,
        ApplicationState.REJECTED, ReasonCode.DUPLICATE, four_eyes_relaxed=True,
    )  # fmt: skip
    assert fields_of(approved, 9).details == {
        "from_state": "submitted",
        "to_state": "rejected",
        "reason_code": "duplicate",
        "four_eyes_relaxed": True,
    }
