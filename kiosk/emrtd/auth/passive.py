"""Passive Authentication: the data is what the issuer signed (ICAO 9303-11 §5.1, 9303-12 §5).

Three steps, all run so that the evidence names every problem found:

1. every data group read hashes to the value in EF.SOD (a mismatch names the group);
2. the SOD's signature verifies with the embedded Document Signer certificate (DSC), using the
   algorithm the SignerInfo names, and its messageDigest covers the LDS security object;
3. the DSC chains to a trusted CSCA with the DSC issuer's name and key identifier, both valid at
   the card's date of issue, and no CRL of that CSCA revokes it.

The verdict follows design.md: any failed check is ``invalid``; no anchor with the issuer's name
and key identifier is ``unverified``; a certificate expired since the card was issued is only a
reason (``dsc_expired_since_issue``). A DSC on its CSCA's CRL is ``invalid`` (``dsc_revoked``); when
every CRL of the CSCA is past its nextUpdate, the reason ``crl_stale`` says the answer may be old.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from kiosk.emrtd.auth import signature
from kiosk.emrtd.auth.trust import (
    CERTIFICATE_ERRORS,
    TrustStore,
    authority_key_identifier,
    key_identifier,
)
from kiosk.emrtd.auth.verdict import CheckResult, Verdict
from kiosk.emrtd.errors import MalformedData
from kiosk.emrtd.lds import sod as sod_file
from kiosk.emrtd.lds.sod import SODFile

Finding = tuple[Verdict, str]
"""One observation: the verdict it forces (VALID for a note) and its reason code."""

_SEVERITY = (Verdict.INVALID, Verdict.NOT_SUPPORTED, Verdict.UNVERIFIED)


def verify_passive(
    sod_data: bytes,
    files: Mapping[int, bytes],
    trust: TrustStore,
    *,
    issued_on: date | None,
    today: date,
) -> CheckResult:
    """Run Passive Authentication over the files read.

    Args:
        sod_data: EF.SOD as read.
        files: data group number -> the file as read (every file the reader relies on,
            DG14 and DG15 included, or Chip and Active Authentication prove nothing).
        trust: the CSCA anchors.
        issued_on: the card's date of issue (DG13 field 11), the date the chain is validated
            at; None validates at ``today`` and adds the reason ``issue_date_unknown``.
        today: the current date, to note certificates that expired since issue.
    """
    try:
        sod = sod_file.parse(sod_data)
    except MalformedData:
        return CheckResult(Verdict.INVALID, ("sod_malformed",))
    findings = _data_group_findings(sod, files)
    if issued_on is None:
        findings.append((Verdict.VALID, "issue_date_unknown"))
    dsc, signer_findings = _document_signer(sod)
    findings += signer_findings
    if dsc is not None:
        findings += _signature_findings(sod, dsc)
        findings += _chain_findings(dsc, trust, issued_on or today, today)
    return _conclude(findings)


def _conclude(findings: Sequence[Finding]) -> CheckResult:
    verdicts = {verdict for verdict, _ in findings}
    verdict = next((v for v in _SEVERITY if v in verdicts), Verdict.VALID)
    return CheckResult(verdict, tuple(reason for _, reason in findings))


def _data_group_findings(sod: SODFile, files: Mapping[int, bytes]) -> list[Finding]:
    if sod.hash_algorithm not in signature.HASHES:
        return [(Verdict.NOT_SUPPORTED, "hash_algorithm_unsupported")]
    findings: list[Finding] = []
    for number, data in sorted(files.items()):
        expected = sod.data_group_hashes.get(number)
        if expected is None:
            findings.append((Verdict.INVALID, f"dg_not_in_sod:DG{number}"))
        elif hashlib.new(sod.hash_algorithm, data).digest() != expected:
            findings.append((Verdict.INVALID, f"dg_hash_mismatch:DG{number}"))
    return findings


def _document_signer(sod: SODFile) -> tuple[x509.Certificate | None, list[Finding]]:
    if sod.document_signer is None:
        return None, [(Verdict.UNVERIFIED, "dsc_missing")]
    try:
        dsc = x509.load_der_x509_certificate(sod.document_signer)
        _ = dsc.extensions  # parsed lazily: malformed extensions must fail here
    except CERTIFICATE_ERRORS:
        return None, [(Verdict.INVALID, "dsc_malformed")]
    return dsc, []


def _signature_findings(sod: SODFile, dsc: x509.Certificate) -> list[Finding]:
    signer = sod.signer
    findings: list[Finding] = []
    if {sod.content_type, signer.content_type} != {sod_file.ID_LDS_SECURITY_OBJECT}:
        findings.append((Verdict.INVALID, "sod_content_type_mismatch"))
    if signer.digest_algorithm not in signature.HASHES:
        findings.append((Verdict.NOT_SUPPORTED, "digest_algorithm_unsupported"))
    elif (
        hashlib.new(signer.digest_algorithm, sod.encapsulated_content).digest()
        != signer.message_digest
    ):
        findings.append((Verdict.INVALID, "sod_message_digest_mismatch"))
    return findings + _sod_signature_findings(sod, dsc)


def _sod_signature_findings(sod: SODFile, dsc: x509.Certificate) -> list[Finding]:
    signer = sod.signer
    if not signature.is_supported(signer.signature_algorithm):
        return [(Verdict.NOT_SUPPORTED, "signature_algorithm_unsupported")]
    try:
        key = dsc.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return [(Verdict.NOT_SUPPORTED, "dsc_key_unsupported")]
    if not signature.verify(
        key, signer.signature_algorithm, signer.signature, signer.signed_attributes
    ):
        return [(Verdict.INVALID, "sod_signature_invalid")]
    return []


def _chain_findings(
    dsc: x509.Certificate, trust: TrustStore, validation_date: date, today: date
) -> list[Finding]:
    findings = _validity_findings("dsc", dsc, validation_date, today)
    named = trust.named(dsc.issuer)
    if not named:
        return [*findings, (Verdict.UNVERIFIED, "dsc_issuer_unknown")]
    wanted = authority_key_identifier(dsc)
    keyed = [c for c in named if wanted is None or key_identifier(c) == wanted]
    if not keyed:
        return [*findings, (Verdict.UNVERIFIED, "csca_key_unknown")]
    outcomes = [(csca, _issuer_verdict(dsc, csca)) for csca in keyed]
    issuer = next((csca for csca, verdict in outcomes if verdict is Verdict.VALID), None)
    if issuer is not None:
        findings += _validity_findings("csca", issuer, validation_date, today)
        return findings + _revocation_findings(dsc, trust.revocation_lists_of(issuer), today)
    if any(verdict is Verdict.INVALID for _, verdict in outcomes):
        return [*findings, (Verdict.INVALID, "csca_signature_invalid")]
    return [*findings, (Verdict.NOT_SUPPORTED, "csca_signature_unsupported")]


def _revocation_findings(
    dsc: x509.Certificate, crls: Sequence[x509.CertificateRevocationList], today: date
) -> list[Finding]:
    """``dsc_revoked`` if a CRL lists the DSC; ``crl_stale`` if every CRL is past nextUpdate."""
    if not crls:
        return []
    if any(crl.get_revoked_certificate_by_serial_number(dsc.serial_number) for crl in crls):
        return [(Verdict.INVALID, "dsc_revoked")]
    if all(_next_update(crl) < today for crl in crls):
        return [(Verdict.VALID, "crl_stale")]
    return []


def _next_update(crl: x509.CertificateRevocationList) -> date:
    """The CRL's nextUpdate; a CRL without one (RFC 5280 requires it) counts as stale."""
    moment = crl.next_update_utc
    return date.min if moment is None else moment.date()


def _issuer_verdict(dsc: x509.Certificate, csca: x509.Certificate) -> Verdict:
    """Whether ``csca`` signed ``dsc`` (RSA, RSA-PSS or ECDSA, as the DSC's own field says)."""
    try:
        dsc.verify_directly_issued_by(csca)
    except InvalidSignature:
        return Verdict.INVALID
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return Verdict.NOT_SUPPORTED
    return Verdict.VALID


def _validity_findings(
    role: str, certificate: x509.Certificate, validation_date: date, today: date
) -> list[Finding]:
    start = certificate.not_valid_before_utc.date()
    end = certificate.not_valid_after_utc.date()
    if not start <= validation_date <= end:
        return [(Verdict.INVALID, f"{role}_not_valid_at_issue")]
    if today > end:
        return [(Verdict.VALID, f"{role}_expired_since_issue")]
    return []
