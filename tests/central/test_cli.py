"""The ``central`` command line in process, and ``central serve`` as a real child process."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from central.cli import main
from kiosk.devices.sim import pki
from tests.support.kiosk_signer import TestKiosk


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_invite_list_revoke_and_publish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data", str(tmp_path / "c")]
    code, out, _ = _run(capsys, "kiosk", "invite", "--unit", "C06", "--counter", "2", *data)
    assert code == 0
    invite = out.strip().splitlines()[-1]
    prefix, token, pin = invite.split(".")
    assert (prefix, len(token)) == ("KI1", 32)

    from central.service import Central, Settings

    central = Central(Settings(data_dir=tmp_path / "c"))
    kiosk = TestKiosk()
    central.registry.register(invite, kiosk.public_jwk, "counter 2")
    assert pin == central.keys.tls_pins[0]
    central.close()

    code, out, _ = _run(capsys, "kiosk", "list", "--json", *data)
    (listed,) = json.loads(out)["kiosks"]
    assert (code, listed["kiosk_id"], listed["unit"], listed["revoked"]) == (
        0,
        kiosk.kid,
        "C06",
        False,
    )
    assert listed["last_contact_at"] is None

    assert _run(capsys, "kiosk", "revoke", kiosk.kid, *data)[0] == 0
    code, out, _ = _run(capsys, "kiosk", "list", *data)
    assert "revoked" in out
    code, _, err = _run(capsys, "kiosk", "revoke", "nobody", *data)
    assert (code, err.strip()) == (1, "central: no kiosk nobody")

    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"thresholds": {"face_distance": 0.5}}))
    code, out, _ = _run(capsys, "config", "publish", str(bundle), *data)
    assert (code, out.strip()) == (0, "published configuration bundle 1")
    bundle.write_text("[1]")
    assert _run(capsys, "config", "publish", str(bundle), *data)[0] == 1


def _kiosk_whose_id_begins_with_a_dash() -> TestKiosk:
    """The first of a fixed run of keys whose RFC 7638 thumbprint begins with '-'."""
    for seed in range(1000):
        key = ed25519.Ed25519PrivateKey.from_private_bytes(seed.to_bytes(32, "big"))
        kiosk = TestKiosk(key)
        if kiosk.kid.startswith("-"):
            return kiosk
    raise AssertionError("no thumbprint in the run begins with '-'")


@pytest.mark.parametrize(
    "arrange",
    [
        lambda kid, data: ["kiosk", "revoke", kid, *data],
        lambda kid, data: ["kiosk", "revoke", *data, kid],
        lambda kid, data: ["kiosk", "revoke", *data, "--", kid],
    ],
    ids=["id-first", "id-last", "operator-wrote-dashes"],
)
def test_a_kiosk_id_beginning_with_a_dash_is_revoked(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arrange: Callable[[str, list[str]], list[str]],
) -> None:
    from central.service import Central, Settings

    data = ["--data", str(tmp_path / "c")]
    _, out, _ = _run(capsys, "kiosk", "invite", "--unit", "C06", "--counter", "2", *data)
    kiosk = _kiosk_whose_id_begins_with_a_dash()
    central = Central(Settings(data_dir=tmp_path / "c"))
    central.registry.register(out.strip().splitlines()[-1], kiosk.public_jwk, "counter 2")
    central.close()

    code, out, err = _run(capsys, *arrange(kiosk.kid, data))
    assert (code, out.strip(), err) == (0, f"revoked {kiosk.kid}", "")
    code, out, _ = _run(capsys, "kiosk", "list", "--json", *data)
    assert json.loads(out)["kiosks"][0]["revoked"] is True


def test_serve_refuses_the_test_csca_outside_demo(
    tmp_path: Path, pki_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = pki.load_or_create(pki_folder).trust_dir
    code, _, err = _run(capsys, "serve", "--data", str(tmp_path), "--trust", str(trust))
    assert code == 1
    assert "test CSCA" in err


def _pin(der: bytes) -> str:
    spki = (
        x509.load_der_x509_certificate(der)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return base64.b32encode(hashlib.sha256(spki).digest()).decode().rstrip("=")


def test_serve_on_a_free_port_announces_itself(tmp_path: Path, pki_folder: Path) -> None:
    ready = tmp_path / "ready.json"
    trust = pki.load_or_create(pki_folder).trust_dir
    command = [sys.executable, "-m", "central", "serve", "--port", "0", "--demo"]
    command += ["--data", str(tmp_path / "c"), "--trust", str(trust), "--ready-file", str(ready)]
    child = subprocess.Popen(command, stderr=subprocess.PIPE, env={**os.environ})
    try:
        for _ in range(300):
            if ready.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        announced = json.loads(ready.read_text())
        assert set(announced) == {"url", "pin", "pid", "invite"}
        assert announced["pid"] == child.pid
        assert announced["invite"].endswith("." + announced["pin"])
        host, port = announced["url"].removeprefix("https://").split(":")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the pin is checked instead, as the kiosk does
        connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=30)
        connection.request("GET", "/v1/server")
        response = connection.getresponse()
        assert response.status == 200
        assert _pin(connection.sock.getpeercert(binary_form=True)) == announced["pin"]
        assert json.loads(response.read())["tls_pins"][0] == announced["pin"]
        assert response.getheader("Date")
        connection.close()
    finally:
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=30)
    assert child.returncode == 0
    assert b"listening on https://127.0.0.1:" in err
    assert err.rstrip().endswith(b"central.serve: stopped")
