"""Which issuer the app talks to: environment first, then ``zorgcert config set``, then the shipped default.

Whatever the source (environment, a hand-edited config file, ``config set``), the URL
must be ``https://HOST[:PORT][/PATH]``: anything else is refused here, before a client
exists, so a PIN never travels in clear (``app.enroll.est.IssuerClient`` refuses it once more).

Issue 14: ``issuer-label`` is an optional EST label (RFC 7030 §3.2.2, ``/.well-known/est/<label>/``),
one path segment, checked here too; ``renewal-window`` (ISO 8601, default ``P1M``, R5) is when the
app counts renewal as open when the issuer does not say it (a plain EST server has no ``/api/v1/policy``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from app.errors import InsecureIssuerUrl, NoIssuerConfigured, UsageError
from app.state.files import read_json, write_json
from app.state.paths import Paths

KEYS = {"issuer-url": "ZORGCERT_ISSUER_URL", "issuer-ca": "ZORGCERT_ISSUER_CA",
        "issuer-label": "ZORGCERT_ISSUER_LABEL", "renewal-window": "ZORGCERT_RENEWAL_WINDOW"}
DEFAULT_RENEWAL_WINDOW = "P1M"  # R5: one calendar month before expiry
SHIPPED_CA = Path(__file__).resolve().parent.parent / "resources" / "issuer-ca.pem"


@dataclass(frozen=True)
class IssuerSettings:
    url: str
    ca_file: Path
    label: str = ""  # the EST label, "" for none


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
        value = https_url(value, source="zorgcert config set issuer-url")
    elif key == "issuer-label":
        value = _label(value)
    elif key == "renewal-window":
        value = _window(value, "zorgcert config set renewal-window")
    else:
        path = Path(value).expanduser().resolve()
        if not path.is_file() or b"BEGIN CERTIFICATE" not in path.read_bytes():
            raise UsageError(f"{path} is not a PEM certificate file")
        value = str(path)
    data = load(paths)
    data[key] = value
    write_json(paths.config_file, data)
    return value


def unset_value(paths: Paths, key: str) -> bool:
    """Forget one setting in the config file; True when it was there."""
    if key not in KEYS:
        raise UsageError(f"unknown setting {key!r}; known: {', '.join(KEYS)}")
    data = load(paths)
    if key not in data:
        return False
    del data[key]
    write_json(paths.config_file, data)
    return True


def sources(paths: Paths) -> list[dict[str, str]]:
    """Each setting with the value in use and where it comes from: ``environment`` (with the variable),
    ``config-file`` (with the file), ``shipped-default`` or ``unset``; the order ``issuer`` reads them in.

    Shown as it is, unchecked: ``config show`` must work even when a value is refused elsewhere.
    """
    data = load(paths)
    out = []

    def shown(value: str) -> str:  # never echo credentials someone put in a URL
        return re.sub(r"//[^/@]*@", "//***@", value)

    for key, variable in KEYS.items():
        if os.environ.get(variable):
            out.append({"key": key, "value": shown(os.environ[variable]), "source": "environment", "where": variable})
        elif data.get(key):
            out.append({"key": key, "value": shown(str(data[key])), "source": "config-file",
                        "where": str(paths.config_file)})
        elif key == "issuer-ca" and SHIPPED_CA.is_file():
            out.append({"key": key, "value": str(SHIPPED_CA), "source": "shipped-default", "where": str(SHIPPED_CA)})
        elif key == "renewal-window":
            out.append({"key": key, "value": DEFAULT_RENEWAL_WINDOW, "source": "shipped-default", "where": ""})
        else:
            out.append({"key": key, "value": "", "source": "unset", "where": ""})
    return out


def issuer(paths: Paths) -> IssuerSettings:
    """The issuer URL and the CA that pins it."""
    data = load(paths)
    env_url = os.environ.get(KEYS["issuer-url"])
    url = env_url or data.get("issuer-url")
    ca = os.environ.get(KEYS["issuer-ca"]) or data.get("issuer-ca")
    if not url:
        raise NoIssuerConfigured("no issuer URL")
    url = https_url(str(url), source=KEYS["issuer-url"] if env_url else str(paths.config_file))
    ca_path = Path(ca).expanduser() if ca else SHIPPED_CA
    if not ca_path.is_file():
        raise NoIssuerConfigured(f"no issuer CA file ({ca_path})")
    label = _label(os.environ.get(KEYS["issuer-label"]) or data.get("issuer-label") or "")
    return IssuerSettings(url, ca_path, label)


def renewal_window(paths: Paths) -> str:
    """R5 as this machine counts it when the issuer does not say (ISO 8601): environment, config file, ``P1M``.

    A value that is not a positive ISO 8601 duration is refused (``UsageError``), never silently replaced.
    """
    env = os.environ.get(KEYS["renewal-window"])
    value = env or load(paths).get("renewal-window")
    if not value:
        return DEFAULT_RENEWAL_WINDOW
    return _window(str(value), KEYS["renewal-window"] if env else str(paths.config_file))


EST_OPERATIONS = ("cacerts", "simpleenroll", "simplereenroll", "fullcmc", "serverkeygen", "csrattrs")
_LABEL = re.compile(r"[A-Za-z0-9\-._~]{1,64}")  # RFC 3986 unreserved characters only


def check_label(label: str | None) -> str:
    """An EST label (RFC 7030 §3.2.2) as given, or ``UsageError``; "" means none.

    One path segment of RFC 3986 unreserved characters (letters, digits, ``-._~``), at most
    64, not ``.`` or ``..`` and not an operation's name (``/.well-known/est/cacerts/cacerts``
    would be ambiguous to a reader).
    """
    text = (label or "").strip()
    if not text:
        return ""
    if not _LABEL.fullmatch(text) or text in (".", "..") or text.lower() in EST_OPERATIONS:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise UsageError(f"not an EST label: {shown!r} (one path segment: letters, digits, - . _ ~)")
    return text


_label = check_label


def _window(value: str, source: str) -> str:
    from app.policy import parse_span  # isodate: only when a window is set

    text = value.strip()
    try:
        parse_span(text)
    except ValueError:
        raise UsageError(f"renewal-window from {source} is not an ISO 8601 duration such as P1M or P30D: "
                         f"{text[:40]!r}") from None
    return text


def https_url(value: str, *, source: str) -> str:
    """``value`` as an issuer base URL (no trailing slash) if it is ``https://`` with a host; else refused.

    Refused too: credentials in the URL, a query or a fragment (an issuer address has none).
    """
    text = value.strip()
    shown = re.sub(r"//[^/@]*@", "//***@", text)  # never echo credentials someone put in the URL
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    refused = InsecureIssuerUrl(f"not an https issuer URL: {shown!r}", url=shown, source=source)
    if any(c.isspace() or not c.isprintable() for c in text):
        raise refused
    try:
        parts = urlsplit(text)
        ok = (parts.scheme.lower() == "https" and bool(parts.hostname) and parts.username is None
              and parts.password is None and not parts.query and not parts.fragment)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        ok = False
    if not ok:
        raise refused
    return urlunsplit(("https", parts.netloc, parts.path.rstrip("/"), "", ""))
