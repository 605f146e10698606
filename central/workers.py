"""The server's worker processes: where a packet is opened and decided beside the requests.

Opening a packet (base64 of about 1 MB, AES-GCM, EdDSA over 400 KB, CBOR) and deciding it
(Passive Authentication) are most of a packet's cost on the server, and both hold the
interpreter lock while they run: in the server process they queue behind each other and behind
the request threads on one core. ``central serve --worker-processes N`` runs them in ``N``
spawned processes instead. Certificates and keys do not pickle, so each worker loads the trust
store from the CSCA folder itself and gets the server's encryption key as PKCS #8 bytes through
its start-up pipe (parent and child only; the key never touches a file the server did not
already keep it in).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.emrtd import TrustStore

T = TypeVar("T")


class Workers:
    """A pool of spawned worker processes, each holding the trust store and the encryption key."""

    def __init__(
        self, processes: int, trust_dir: Path | None, encryption: ec.EllipticCurvePrivateKey
    ) -> None:
        """Start ``processes`` workers (at least 1)."""
        key = encryption.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self._pool = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=(trust_dir, key),
        )

    def call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker; its exception is raised here (it must pickle)."""
        return self._pool.submit(function, *args).result()

    def map(self, function: Callable[..., T], *iterables: Iterable[Any]) -> Iterator[T]:
        """``function`` over ``iterables`` in the workers, results in order."""
        return self._pool.map(function, *iterables)

    def close(self) -> None:
        """Stop the workers (work not started is cancelled)."""
        self._pool.shutdown(cancel_futures=True)


@dataclass(slots=True)
class _State:
    trust: TrustStore
    encryption: ec.EllipticCurvePrivateKey | None = None


_state = _State(TrustStore())
"""What this worker process loaded at its start (``_load``); empty in the server process."""


def _load(trust_dir: Path | None, encryption_pkcs8: bytes) -> None:
    threading.Thread(target=_exit_with_parent, name="central-worker-parent", daemon=True).start()
    key = serialization.load_der_private_key(encryption_pkcs8, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError("the server's encryption key is an EC key")
    _state.trust = TrustStore.load(trust_dir) if trust_dir else TrustStore()
    _state.encryption = key


def _exit_with_parent() -> None:
    """End this worker when the server process is gone, even killed (nobody else would)."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)


def worker_trust() -> TrustStore:
    """The trust store of the worker process this runs in."""
    return _state.trust


def worker_encryption_key() -> ec.EllipticCurvePrivateKey:
    """The server's encryption key, in the worker process this runs in."""
    if _state.encryption is None:
        raise RuntimeError("not in a worker process")
    return _state.encryption
