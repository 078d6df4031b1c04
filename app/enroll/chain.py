"""One check that a certificate chains to a pinned CA: issued certificates, /cacerts, backups, the TLS edge.

Built on ``cryptography``'s own path builder (``cryptography.x509.verification``), never a
hand-written walk: every signature, each certificate's validity at ``now``, CA basic
constraints, key usages, path length and name constraints are checked the Web PKI way.
A client (end-entity) certificate is checked under the Web PKI client profile, except that
a subjectAltName is optional (the issuer gives personal certificates an e-mail address and
system certificates none); a CA certificate (``/cacerts``) is checked under the CA profile.
Only ``cryptography`` is imported: light enough for any path that already has it.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store, VerificationError


class ChainUntrusted(ValueError):
    """The certificate does not chain to any of the pinned CA certificates (the reason in words, English)."""


def path_to_pin(cert: x509.Certificate, intermediates: list[x509.Certificate], pinned: list[x509.Certificate],
                *, now: datetime) -> list[x509.Certificate]:
    """The CA certificates of a valid path from ``cert`` to one of ``pinned`` at ``now``: issuing CA first, the pin
    last (``[]`` when ``cert`` is itself pinned). ``intermediates`` are mere candidates: any not on the path (a
    foreign root) is left out. Raises ``ChainUntrusted`` when there is no such path.
    """
    if not pinned:
        raise ChainUntrusted("no pinned CA certificate")
    if cert in pinned:
        return []
    ca_profile = ExtensionPolicy.webpki_defaults_ca()
    leaf_profile = ca_profile if _is_ca(cert) else ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, Criticality.NON_CRITICAL, None)
    verifier = (PolicyBuilder().store(Store(pinned)).time(now)
                .extension_policies(ca_policy=ca_profile, ee_policy=leaf_profile)
                .build_client_verifier())
    try:
        verified = verifier.verify(cert, [c for c in intermediates if c != cert])
    except VerificationError as exc:
        raise ChainUntrusted(str(exc)) from None
    return list(verified.chain[1:])


def within_life(cert: x509.Certificate, now: datetime) -> datetime:
    """``now``, moved inside ``cert``'s validity: for a check where the certificate's own dates are another's call
    (an expired certificate gets its own explanation; a fresh one from an issuer whose clock runs ahead is fine)."""
    return max(cert.not_valid_before_utc, min(now, cert.not_valid_after_utc))


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False
