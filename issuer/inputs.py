"""What staff and contact persons type, checked before it reaches a certificate, a letter or the
database: names, e-mail addresses, certificate kinds and the services a certificate may use (R10)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import idna

from app.policy import Refusal
from issuer.ca import subject_text
from issuer.catalogue import DEFAULT_CATALOGUE, Catalogue
from issuer.db import Authorisation, User
from issuer.problems import Problem


def check_service(service: str, catalogue: Catalogue = DEFAULT_CATALOGUE) -> None:
    """A bad-request problem unless ``service`` is in the issuer's catalogue (R10, ``[services]``)."""
    if service not in catalogue:
        raise Problem(
            Refusal.BAD_REQUEST,
            f"unknown service {service!r}; known: {', '.join(catalogue.ids)}",
            known_services=list(catalogue.ids),
        )


def grant(
    user: User, services: tuple[str, ...] | list[str], now: datetime, catalogue: Catalogue = DEFAULT_CATALOGUE
) -> None:
    """Add authorisations; one already held (or named twice) is no error and no second row."""
    for service in services:
        check_service(service, catalogue)
        if service not in {a.service for a in user.authorisations}:
            user.authorisations.append(Authorisation(service=service, granted_at=now))


def subject_field(value: str, what: str, field: str) -> str:
    """A name that goes into a certificate subject, NFC; else a bad-request problem naming ``field``."""
    try:
        return subject_text(value, what)
    except ValueError as exc:
        raise Problem(Refusal.BAD_REQUEST, str(exc), field=field) from None


def check_kind(kind: str) -> None:
    if kind not in ("personal", "system"):
        raise Problem(Refusal.BAD_REQUEST, "kind must be 'personal' or 'system'")


_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def check_email(email: str) -> str:
    """The address as stored and put in certificates: ASCII (RFC 5280 rfc822Name), domain in IDNA form.

    The local part is a plain dot-atom (RFC 5322, no quoting, no comments); the domain has at
    least two labels. Control characters, spaces and header tricks cannot pass.
    """

    def refuse(why: str) -> Problem:
        return Problem(Refusal.BAD_REQUEST, f"not a usable e-mail address: {why}", field="email")

    text = unicodedata.normalize("NFC", email).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise refuse("it needs one @ with a name before it and a domain after it")
    if len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local):
        raise refuse("before the @ only letters a-z, digits and . ! # $ % & ' * + / = ? ^ _ ` { | } ~ - are allowed")
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise refuse("the part after the @ is not a domain name") from None
    labels = ascii_domain.split(".")
    if (
        len(labels) < 2
        or not all(_DNS_LABEL.fullmatch(label) for label in labels)
        or not (labels[-1].isalpha() or labels[-1].startswith("xn--"))
        or len(ascii_domain) > 253
    ):
        raise refuse("the part after the @ is not a domain name")
    address = f"{local}@{ascii_domain}"
    if len(address) > 254:
        raise refuse("it is longer than 254 characters")
    return address
