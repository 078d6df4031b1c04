"""The holder's own account: who they are and who their contact person is (R11), and whether
their certificate may use a web service (R10). The message box: :mod:`issuer.messagebox`."""

from __future__ import annotations

from typing import Any

from app.policy import Refusal
from issuer.catalogue import DEFAULT_CATALOGUE, Catalogue
from issuer.core import Holder, ServiceCore, contact_person_of
from issuer.db import Certificate
from issuer.problems import Problem
from issuer.shaping import caller_json, me_json


class Account(ServiceCore):
    """What a holder, logged in with their certificate, may see of their own."""

    catalogue: Catalogue = DEFAULT_CATALOGUE  # set by open_service from issuer.toml
    support: dict[str, str] = {}  # how to reach Support ([support] in issuer.toml); replaced whole, never changed

    def me(self, holder: Holder) -> dict[str, Any]:
        """R11 and the holder's own facts (``/api/v1/me``, the portal)."""
        now = self.now()
        with self._sessions() as s:
            user = self._user(s, holder.user_number)
            cert = s.get(Certificate, holder.serial)
            assert cert is not None
            out = me_json(user, cert, contact_person_of(user.organisation), self.durations, now)
        out["support"] = dict(self.support) or None  # R12: "only Support can", and how to reach them
        out["catalogue"] = self.catalogue.as_json()  # R10: what the authorisations mean, in nl and en
        return out

    def authorised(self, holder: Holder, service: str, *, kind: str | None = None) -> dict[str, Any]:
        """The caller's user, if it holds ``service`` (and is of ``kind``); else not-authorised."""
        with self._sessions() as s:
            user = self._user(s, holder.user_number)
            if kind and user.kind != kind:
                raise Problem(Refusal.NOT_AUTHORISED, f"this service needs a {kind} certificate")
            if service not in {a.service for a in user.authorisations}:
                raise Problem(
                    Refusal.NOT_AUTHORISED, f"this certificate has no authorisation for {service!r}"
                )
            return caller_json(user)
