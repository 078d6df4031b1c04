"""Which issuer the app talks to: environment first, then ``zorgcert config set``, then the shipped default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.errors import NoIssuerConfigured, UsageError
from app.files import read_json, write_json
from app.paths import Paths

KEYS = {"issuer-url": "ZORGCERT_ISSUER_URL", "issuer-ca": "ZORGCERT_ISSUER_CA"}
SHIPPED_CA = Path(__file__).resolve().parent.parent / "resources" / "issuer-ca.pem"


@dataclass(frozen=True)
class IssuerSettings:
    url: str
    ca_file: Path


def _valid(data: object) -> bool:
    return isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items())


def load(paths: Paths) -> dict[str, str]:
    """The settings ``zorgcert config set`` saved; {} when none (or the file was damaged: it is moved aside)."""
    return dict(read_json(paths.config_file, {}, valid=_valid, what="config.json"))


def set_value(paths: Paths, key: str, value: str) -> str:
    """Store one setting; the value as stored (a CA path is made absolute and checked)."""
    if key not in KEYS:
        raise UsageError(f"unknown setting {key!r}; known: {', '.join(KEYS)}")
    if key == "issuer-url":
        if not value.startswith("https://"):
            raise UsageError("issuer-url must start with https://")
        value = value.rstrip("/")
    else:
        path = Path(value).expanduser().resolve()
        if not path.is_file() or b"BEGIN CERTIFICATE" not in path.read_bytes():
            raise UsageError(f"{path} is not a PEM certificate file")
        value = str(path)
    data = load(paths)
    data[key] = value
    write_json(paths.config_file, data)
    return value


def issuer(paths: Paths) -> IssuerSettings:
    """The issuer URL and the CA that pins it."""
    data = load(paths)
    url = os.environ.get(KEYS["issuer-url"]) or data.get("issuer-url")
    ca = os.environ.get(KEYS["issuer-ca"]) or data.get("issuer-ca")
    if not url:
        raise NoIssuerConfigured("no issuer URL")
    ca_path = Path(ca).expanduser() if ca else SHIPPED_CA
    if not ca_path.is_file():
        raise NoIssuerConfigured(f"no issuer CA file ({ca_path})")
    return IssuerSettings(url.rstrip("/"), ca_path)
