"""The issuer's data folder and its ``issuer.toml``."""

from __future__ import annotations

import json
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from app.policy import Durations, Span, parse_span
from issuer.catalogue import DEFAULT_CATALOGUE, Catalogue, load_catalogue
from issuer.db import sqlite_url
from issuer.files import write_private

CONFIG_NAME = "issuer.toml"

_TEMPLATE = """\
# ZorgCert issuer configuration. Durations are ISO 8601 (P2Y, P1M, P60D, PT20S).
name = {name}

[policy]
validity = {validity}           # R4-R6: from (re)installation or renewal
renewal_window = {renewal_window}   # R5: renewal opens this long before expiry
install_window = {install_window}   # R3: uninstalled certificates are deleted after this
max_pin_attempts = {max_pin_attempts}        # R12: wrong PINs in a row before the user number is blocked
# "automatic", or "manual": every enrollment with user number + PIN is answered 202 Accepted
# (RFC 7030 §4.2.3) until staff run 'zorgcert-issuer user approve USER_NUMBER'
enroll_approval = {enroll_approval}
approval_retry_after = {approval_retry_after}      # seconds a waiting client is told to wait (Retry-After)

[server]
hostnames = {hostnames}
ips = {ips}
# Where the secret that opens the CA keys and sealed messages lives; the PIN pepper is
# derived from it too, so the database alone cannot be used to test PIN guesses. Keep it
# off the database host's backups; in production point this at a credentials store (tmpfs,
# systemd-creds), never at a world-readable path. Changing it makes every issued PIN useless.
secret_file = {secret_file}   # relative to this folder, or absolute
# Database URL; empty means the SQLite file issuer.db in this folder.
database = {database}

# EST labels (RFC 7030 §3.2.2): /.well-known/est/<label>/... serves one kind of certificate
# only; the unlabelled paths serve every kind. For example:
# [est.labels]
# personal = "personal"
# system = "system"

# Message box (Berichtenbox): a message with a PIN is deleted this long after it was sent
# (default P14D). For example:
# [messages]
# pin_message_lifetime = "P7D"

# How holders reach Support (shown in the app, e.g. "only Support can unblock a system
# certificate"); any of phone, email, url. For example:
# [support]
# phone = "088 123 45 67"
# email = "support@example.nl"

# R10: the services a certificate may be authorised for (the catalogue). The id is what the
# API and the database say; nl and en are the names the app shows; default_for lists the
# certificate kinds that get the service when a request names none.
"""

DEFAULT_PIN_MESSAGE_LIFETIME = "P14D"


@dataclass(frozen=True)
class IssuerConfig:
    data_dir: Path
    name: str
    durations: Durations
    hostnames: list[str]
    ips: list[str]
    secret_file: Path
    database: str
    enroll_approval: str = "automatic"
    """``automatic`` or ``manual`` (202 + Retry-After until ``user approve``), see docs/issuer.md."""
    approval_retry_after: int = 60
    """Seconds in the ``Retry-After`` of a 202 answer (manual approval)."""
    est_labels: dict[str, str] = field(default_factory=dict)
    """RFC 7030 §3.2.2 labels: ``/.well-known/est/<label>/...`` serves certificates of this kind only."""
    catalogue: Catalogue = DEFAULT_CATALOGUE
    """R10: the services a certificate may be authorised for (``[services.*]``)."""
    pin_message_lifetime: Span = field(default_factory=lambda: parse_span(DEFAULT_PIN_MESSAGE_LIFETIME))
    """How long a message with a PIN stays in the message box (``[messages] pin_message_lifetime``)."""
    support: dict[str, str] = field(default_factory=dict)
    """How holders reach Support (``[support]``: phone, email, url), shown by the app."""

    @property
    def ca_dir(self) -> Path:
        return self.data_dir / "ca"

    @property
    def root_ca_pem(self) -> Path:
        """What clients trust: the issuer's root CA certificate."""
        return self.data_dir / "root-ca.pem"

    @property
    def tls_cert(self) -> Path:
        return self.data_dir / "tls" / "server.pem"

    @property
    def tls_key(self) -> Path:
        return self.data_dir / "tls" / "server.key"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "outbox" / "mail"

    @property
    def post_dir(self) -> Path:
        return self.data_dir / "outbox" / "post"

    def database_url(self) -> str:
        return self.database or sqlite_url(self.data_dir)

    def secret(self) -> bytes:
        """The issuer secret (opens the CA keys, seals messages)."""
        try:
            value = self.secret_file.read_bytes().strip()
        except OSError as exc:
            raise ConfigError(
                f"cannot read the issuer secret file {self.secret_file}: {exc.strerror}"
            ) from None
        if len(value) < 32:
            raise ConfigError(f"the issuer secret in {self.secret_file} is too short")
        return value


class ConfigError(Exception):
    """The data folder or its issuer.toml is missing or wrong."""


def write_config(
    data_dir: Path,
    *,
    name: str,
    durations: dict[str, str | int],
    hostnames: list[str],
    ips: list[str],
    database: str = "",
    enroll_approval: str = "automatic",
    approval_retry_after: int = 60,
) -> IssuerConfig:
    """Write a new ``issuer.toml`` and the issuer secret; refuse to overwrite either."""
    check_approval(enroll_approval, approval_retry_after)
    path = data_dir / CONFIG_NAME
    secret_file = data_dir / "secret" / "issuer.secret"
    if path.exists() or secret_file.exists():
        raise ConfigError(f"{data_dir} already holds an issuer; refusing to overwrite it")
    secret_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private(secret_file, secrets.token_urlsafe(48).encode() + b"\n")
    values: dict[str, object] = dict(
        name=name, hostnames=hostnames, ips=ips, secret_file="secret/issuer.secret", database=database
    )
    values.update(durations)
    values.update(enroll_approval=enroll_approval, approval_retry_after=approval_retry_after)
    # a JSON string, number or array of strings is also valid TOML
    text = _TEMPLATE.format(**{k: json.dumps(v, ensure_ascii=False) for k, v in values.items()})
    text += DEFAULT_CATALOGUE.toml()
    write_private(path, text.encode())  # owner-only: a database URL may carry a password
    return load_config(data_dir)


def load_config(data_dir: Path) -> IssuerConfig:
    """Read ``DIR/issuer.toml``; a clear ConfigError when absent or wrong."""
    path = data_dir / CONFIG_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"no issuer in {data_dir}: run 'zorgcert-issuer init --data {data_dir}' first"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    try:
        pol = raw["policy"]
        durations = Durations.from_iso(
            validity=pol["validity"],
            renewal_window=pol["renewal_window"],
            install_window=pol["install_window"],
            max_pin_attempts=int(pol.get("max_pin_attempts", 5)),
        )
        srv = raw.get("server", {})
        secret_file = Path(
            os.path.expanduser(srv.get("secret_file") or data_dir / "secret" / "issuer.secret")
        )
        if not secret_file.is_absolute():
            secret_file = data_dir / secret_file
        approval = _approval(pol)
        est = raw.get("est", {})
        labels = est_labels(est.get("labels", {}) if isinstance(est, dict) else None)
        return IssuerConfig(
            data_dir=data_dir,
            name=str(raw.get("name", "ZorgCert")),
            durations=durations,
            hostnames=list(srv.get("hostnames", ["localhost"])),
            ips=list(srv.get("ips", ["127.0.0.1"])),
            secret_file=secret_file,
            database=str(srv.get("database", "")),
            enroll_approval=approval[0],
            approval_retry_after=approval[1],
            est_labels=labels,
            catalogue=load_catalogue(raw.get("services")),
            pin_message_lifetime=parse_span(str(_table(raw, "messages").get(
                "pin_message_lifetime", DEFAULT_PIN_MESSAGE_LIFETIME))),
            support=_support(_table(raw, "support")),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _table(raw: dict[str, object], name: str) -> dict[str, object]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise ValueError(f"[{name}] must be a table")
    return table


def _support(table: dict[str, object]) -> dict[str, str]:
    """``[support]``: phone, email and url, each a short line of text."""
    out = {}
    for key, value in table.items():
        if key not in ("phone", "email", "url"):
            raise ValueError(f"[support] knows phone, email and url, not {key!r}")
        if not isinstance(value, str) or len(value) > 200 or not value.isprintable():
            raise ValueError(f"[support] {key} must be one line of text")
        if value.strip():
            out[key] = value.strip()
    return out


APPROVALS = ("automatic", "manual")
MAX_RETRY_AFTER = 86400


def check_approval(enroll_approval: object, retry_after: object) -> None:
    """``enroll_approval`` is one of :data:`APPROVALS`; ``approval_retry_after`` whole seconds, 1 to a day."""
    if enroll_approval not in APPROVALS:
        raise ValueError(f"enroll_approval must be one of {', '.join(APPROVALS)}, not {enroll_approval!r}")
    if not isinstance(retry_after, int) or isinstance(retry_after, bool) or not 1 <= retry_after <= MAX_RETRY_AFTER:
        raise ValueError(f"approval_retry_after must be whole seconds from 1 to {MAX_RETRY_AFTER}")


def _approval(pol: dict[str, object]) -> tuple[str, int]:
    """The approval settings of the ``[policy]`` table (absent: automatic, 60 s)."""
    mode, retry = pol.get("enroll_approval", "automatic"), pol.get("approval_retry_after", 60)
    check_approval(mode, retry)
    assert isinstance(mode, str) and isinstance(retry, int)  # checked just above
    return mode, retry


EST_OPERATIONS = ("cacerts", "simpleenroll", "simplereenroll", "csrattrs", "fullcmc", "serverkeygen")
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,63}")
LABEL_KINDS = ("personal", "system")


def est_labels(table: object) -> dict[str, str]:
    """The ``[est.labels]`` table: label -> certificate kind (``personal`` or ``system``), checked.

    A label is one URL path segment (RFC 3986 unreserved characters, at most 64), never the name
    of an EST operation (RFC 7030 §3.2.2).
    """
    if not isinstance(table, dict):
        raise ValueError("[est.labels] must be a table of label = \"personal\" | \"system\"")
    for label, kind in table.items():
        if not _LABEL.fullmatch(label) or label in EST_OPERATIONS:
            raise ValueError(
                f"EST label {label!r} must be letters, digits, '.', '_', '~' or '-' (at most 64) and no operation name"
            )
        if kind not in LABEL_KINDS:
            raise ValueError(f"EST label {label!r} must name a certificate kind: personal or system, not {kind!r}")
    return dict(table)
