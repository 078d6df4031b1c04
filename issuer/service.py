"""The issuer's use cases, R1-R13 enforced over the database, the CA and the outbox: one service.

:class:`IssuerService` is what the web layer, the admin CLI and the tests hold. Its parts:

* :mod:`issuer.enrollment` - enroll with user number and PIN (R4, R6, R12), renew (R5);
  :mod:`issuer.approval` - enrollments waiting for staff approval (``enroll_approval = "manual"``);
* :mod:`issuer.staff` - organisations and users, approve, reset a PIN, revoke, unblock,
  authorisations, purge (R1-R3, R7, R9, R10, R12);
  :mod:`issuer.user_requests` - user requests waiting for Support (``request list|approve|reject``);
* :mod:`issuer.account` - the holder's own view: me, web-service authorisation;
  :mod:`issuer.messagebox` - the message box; :mod:`issuer.audit` - the audit log;
  :mod:`issuer.catalogue` - the services (R10) from ``issuer.toml``;
* :mod:`issuer.core` - what they share (transactions, the clock, who is calling);
  :mod:`issuer.shaping` - the JSON; :mod:`issuer.inputs` - names, addresses, kinds, services;
  :mod:`issuer.letters` - the Dutch words of e-mail, letter and message box.
"""

from __future__ import annotations

from issuer.account import Account
from issuer.enrollment import Enrollment
from issuer.user_requests import UserRequests


class IssuerService(Enrollment, UserRequests, Account):
    """Every use case of the issuer over one database, CA and outbox (see the module docstring)."""
