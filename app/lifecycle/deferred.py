"""Requests the issuer has not answered with a certificate yet: deferred (HTTP 202) or interrupted, plain EST.

RFC 7030 §4.2.3: a 202 with Retry-After means "accepted, ask again later with the same
request". The journal entry goes to stage ``deferred`` with ``next_attempt``; the key stays
in the vault under its key id and, for an install, the PIN stays sealed beside it
(``Vault.seal_pin``): the repeat is the very same request (same CSR, same authentication).
``repeat`` sends it again once due, from ``install``, ``status``, the app and the tray agent
(all through ``ZorgCert.recover_interrupted``). The PIN is wiped as soon as the certificate
is known or the request is abandoned.

Recovery without ZorgCert's ``by-key`` extension (a ``key-made`` entry at a plain EST server)
repeats the same request as well (see ``docs/est.md``, "Recovery"): a request that never
arrived is answered now; one the issuer already answered is refused by R7 (a still-valid
certificate is not installed again with the PIN), and the entry is rolled back with a note
that names Support as the way back.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cryptography import x509

from app.clock import utcnow
from app.enroll import identity
from app.enroll.protocol import next_attempt
from app.errors import EnrollmentDeferred, IssuerRefused, IssuerSaid, IssuerUnreachable
from app.i18n import t
from app.lifecycle.status import at_text, moment
from app.state.journal import Operation

if TYPE_CHECKING:
    from app.lifecycle.services import ZorgCert

log = logging.getLogger("zorgcert")

UNREACHABLE_WAIT = timedelta(minutes=1)  # a due repeat that found the issuer unreachable: try again after this


def deferred_error(op: Operation) -> EnrollmentDeferred:
    """What the user is told about a deferred ``op``: accepted, waiting for approval, next attempt at."""
    when = moment(op.next_attempt) or utcnow()
    return EnrollmentDeferred(f"deferred {op.kind}; next attempt {op.next_attempt}", user_number=op.user_number,
                              next_attempt=when.isoformat(), at=at_text(when), wait_seconds=op.retry_after or 0)


def defer(core: ZorgCert, op: Operation, answer: EnrollmentDeferred) -> EnrollmentDeferred:
    """Journal ``op`` as deferred (next attempt after Retry-After); the error that says so."""
    when, seconds = next_attempt(answer.retry_after, core.clock.now())
    op.stage, op.next_attempt, op.retry_after = "deferred", when.isoformat(), seconds
    core.journal.save(op)
    log.info("%s of %s accepted by the issuer, certificate later; next attempt %s (Retry-After %s s)", op.kind,
             op.user_number, op.next_attempt, seconds)
    return deferred_error(op)


def is_due(op: Operation, now: datetime) -> bool:
    """Has ``op``'s next attempt come (an unreadable one has: better one request early than a stuck one)?"""
    when = moment(op.next_attempt)
    return when is None or now >= when


def repeat(core: ZorgCert, op: Operation, *, due_only: bool = True) -> str:
    """Send ``op``'s request again, unchanged; what became of it (``completed``, ``deferred``, ``rolled-back``,
    ``refused``, ``lost-at-issuer``). Raises what a ``key-made`` entry cannot decide yet (unreachable)."""
    now = core.clock.now()
    if op.stage == "deferred" and due_only and not is_due(op, now):
        return "deferred"
    try:
        csr = base64.b64decode(op.csr or "", validate=True)
    except (binascii.Error, ValueError):
        csr = b""
    if not csr:  # an entry from before requests were journaled: nothing to repeat; keep the key
        core.journal.finish(op)
        core.vault.wipe_pin(op.key_id)
        log.warning("interrupted %s of %s cannot be asked about (no request kept); key kept as %s", op.kind,
                    op.user_number, op.key_id[:12])
        return "closed-key-kept"
    try:
        cert = _send(core, op, csr)
    except EnrollmentDeferred as again:
        defer(core, op, again)
        return "deferred"
    except (IssuerRefused, IssuerSaid) as exc:
        code = getattr(exc, "code", "") or exc.key
        was_key_made = op.stage == "key-made"
        core.roll_back(op)  # a clear no to the very same request: nothing (more) will come
        lost = was_key_made and code in ("still-valid", "certificate-superseded", "not-authorised")
        log.warning("repeated %s of %s refused (%s)%s", op.kind, op.user_number, code,
                    ": the certificate may have been made and lost (R7)" if lost else "")
        return "lost-at-issuer" if lost else "refused"
    except IssuerUnreachable:
        if op.stage != "deferred":
            raise  # key-made: decide next time, as before
        op.next_attempt = (now + UNREACHABLE_WAIT).isoformat()
        core.journal.save(op)
        return "deferred"
    core.complete_repeated(op, cert)
    log.info("completed %s of %s with the repeated request", op.kind, op.user_number)
    return "completed"


def _send(core: ZorgCert, op: Operation, csr: bytes) -> Any:
    if op.kind == "install":
        pin = core.vault.open_pin(op.key_id)
        if not pin:  # the vault key changed, or an older entry: the user types it again
            raise IssuerRefused("pin-invalid", "the PIN of the deferred request is no longer in the vault")
        return core.client.simpleenroll(op.user_number, pin, csr)
    sealed = core.vault.get(op.old_fingerprint or "") if op.old_fingerprint else None
    if sealed is None or sealed.cert_der is None:
        raise IssuerRefused("not-authorised", "the certificate being renewed is no longer in the vault")
    return core.client.simplereenroll(x509.load_der_x509_certificate(sealed.cert_der),
                                      identity.load_key(sealed.key_der), csr)


def note_for(result: str, kind: str, user_number: str, lang: str) -> str | None:
    """What to tell the user about a repeated request that did not complete (None: nothing to say)."""
    if result not in ("lost-at-issuer", "refused"):
        return None
    params = {"operation": t(f"recovery.op.{kind}", lang), "user_number": user_number}
    return t(f"recovery.{result}", lang, **params) + "\n" + t(f"recovery.{result}.next", lang, **params)

