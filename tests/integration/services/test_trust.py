"""Installing CSCA anchors, master lists and CRLs: what is accepted, what is refused, the audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from kiosk.app import Kiosk, build
from kiosk.config import PathSettings, Settings
from kiosk.domain.errors import DomainError, ErrorCode
from kiosk.domain.users import Role, User
from kiosk.emrtd.auth.master_list import fingerprint
from tests.support.clock import FrozenClock
from tests.support.staffed_kiosk import close
from tests.unit.emrtd.auth.conftest import CertMaker, Issued
from tests.unit.emrtd.auth.test_master_list import ISSUER, LISTED, master_list

PASSWORD = "mật-khẩu-dài-123"
MAKER = CertMaker()


@pytest.fixture(scope="module")
def csca() -> Issued:
    return MAKER.csca()


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    settings = Settings(demo=True, paths=PathSettings(data_dir=str(tmp_path / "data")))
    built = build(settings, FrozenClock(datetime.now(UTC)))
    yield built
    close(built)


@pytest.fixture
def admin(kiosk: Kiosk) -> User:
    return kiosk.services.users.add(
        None, username="quantri", full_name="Quản Trị", service_number="QT-1",
        role=Role.ADMIN, password=PASSWORD,
    )  # fmt: skip


def pem(path: Path, certificate: x509.Certificate) -> Path:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def crl_by(issuer: Issued, path: Path, next_update: datetime) -> Path:
    now = datetime.now(UTC)
    built = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now - timedelta(days=1))
        .next_update(next_update)
        .sign(issuer.key, hashes.SHA256())  # type: ignore[arg-type]
    )
    path.write_bytes(built.public_bytes(serialization.Encoding.DER))
    return path


def test_a_csca_is_installed_listed_and_audited(
    kiosk: Kiosk, admin: User, csca: Issued, tmp_path: Path
) -> None:
    imported = kiosk.services.trust.import_file(admin, pem(tmp_path / "csca.pem", csca.certificate))
    assert imported.kind == "csca"
    assert imported.installed == (fingerprint(csca.certificate).hex(),)
    listed = kiosk.services.trust.report(date.today())
    assert [a.fingerprint for a in listed.anchors] == [fingerprint(csca.certificate).hex()]
    assert kiosk.services.audit.verify().valid
    folder = kiosk.settings.data_dir / "trust"
    assert not [p for p in folder.iterdir() if p.name.startswith(".import-")]


def test_a_document_signer_is_not_an_anchor(
    kiosk: Kiosk, admin: User, csca: Issued, tmp_path: Path
) -> None:
    signer = MAKER.dsc(csca)
    with pytest.raises(DomainError) as refused:
        kiosk.services.trust.import_file(admin, pem(tmp_path / "dsc.pem", signer.certificate))
    assert refused.value.code is ErrorCode.TRUST_STORE_INVALID
    assert refused.value.params["reason"] == "not_a_ca"
    assert kiosk.services.trust.report(date.today()).anchors == ()


def test_only_an_administrator_imports(
    kiosk: Kiosk, admin: User, csca: Issued, tmp_path: Path
) -> None:
    officer = kiosk.services.users.add(
        admin, username="canbo", full_name="Cán Bộ", service_number="CB-1",
        role=Role.OFFICER, password=PASSWORD,
    )  # fmt: skip
    with pytest.raises(DomainError) as denied:
        kiosk.services.trust.import_file(officer, pem(tmp_path / "csca.pem", csca.certificate))
    assert denied.value.code is ErrorCode.PERMISSION_DENIED


def test_a_crl_is_taken_only_from_an_installed_csca(
    kiosk: Kiosk, admin: User, csca: Issued, tmp_path: Path
) -> None:
    soon = datetime.now(UTC) + timedelta(days=3)
    stranger = MAKER.csca()
    with pytest.raises(DomainError) as refused:
        kiosk.services.trust.import_file(admin, crl_by(stranger, tmp_path / "x.crl", soon))
    assert refused.value.params["reason"] == "crl_issuer_unknown"
    kiosk.services.trust.import_file(admin, pem(tmp_path / "csca.pem", csca.certificate))
    imported = kiosk.services.trust.import_file(admin, crl_by(csca, tmp_path / "ok.crl", soon))
    assert imported.kind == "crl"
    (listed,) = kiosk.services.trust.report(date.today()).revocation_lists
    assert listed.warnings == ("crl_next_update_soon",)


def test_a_master_list_needs_a_confirmed_signer(kiosk: Kiosk, admin: User, tmp_path: Path) -> None:
    path = tmp_path / "list.ml"
    path.write_bytes(master_list())
    with pytest.raises(DomainError) as refused:
        kiosk.services.trust.import_file(admin, path, [])
    assert refused.value.params["reason"] == "master_list_not_verified"
    assert kiosk.services.trust.report(date.today()).anchors == ()
    confirmed = [fingerprint(ISSUER.certificate).hex()]
    imported = kiosk.services.trust.import_file(admin, path, confirmed)
    assert imported.kind == "master_list"
    expected = {fingerprint(c).hex() for c in (ISSUER.certificate, LISTED.certificate)}
    assert set(imported.installed) == expected


def test_a_broken_master_list_installs_nothing(kiosk: Kiosk, admin: User, tmp_path: Path) -> None:
    data = bytearray(master_list())
    data[-20] ^= 0x01
    path = tmp_path / "broken.ml"
    path.write_bytes(bytes(data))
    with pytest.raises(DomainError) as refused:
        kiosk.services.trust.import_file(admin, path, [fingerprint(ISSUER.certificate).hex()])
    assert refused.value.code is ErrorCode.TRUST_STORE_INVALID
    assert kiosk.services.trust.report(date.today()).anchors == ()
