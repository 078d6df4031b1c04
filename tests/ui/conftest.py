"""Qt offscreen for every UI test, a real issuer, and one scratch user (HOME, ZorgCert state, keyring) per test."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before pytest-qt makes the QApplication
os.environ.setdefault("QT_QUICK_BACKEND", "software")

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from issuer_harness import RunningIssuer, start_issuer

from app.desk.desktop import Desktop
from app.state.paths import Paths

# A renewal window longer than the validity: every certificate can be renewed at once, and
# at 20 days the agent's 30-day reminder is due right after install.
VALIDITY, RENEWAL = "P20D", "P1M"
STRONG = "Kaasschaaf Vlinderdas Molenwiek Sneeuwbal"


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIssuer]:
    running = start_issuer(Path(tmp_path_factory.mktemp("ui-issuer")) / "data", validity=VALIDITY,
                           renewal_window=RENEWAL, install_window="P60D")
    yield running
    running.stop()


@dataclass
class User:
    """One person's machine as the app sees it."""

    home: Path
    desktop: Desktop
    issuer: RunningIssuer

    @property
    def nssdb(self) -> Path:
        return self.home / ".pki" / "nssdb"

    def certutil(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["certutil", *args, "-d", f"sql:{self.nssdb}"], capture_output=True, text=True)

    def new_holder(self, name: str = "Anna de Vries", **kw: object) -> tuple[str, str]:
        org = self.issuer.organisation(f"Praktijk {name}")
        return self.issuer.user(org, name=name, **kw)  # type: ignore[arg-type]


@pytest.fixture()
def user(issuer: RunningIssuer, tmp_path: Path, secret_service: dict[str, str],
         monkeypatch: pytest.MonkeyPatch) -> User:
    home = tmp_path / "home"
    home.mkdir()
    root = home / "zorgcert"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("ZORGCERT_HOME", str(root))
    monkeypatch.setenv("ZORGCERT_ISSUER_URL", issuer.url)
    monkeypatch.setenv("ZORGCERT_ISSUER_CA", issuer.ca)
    monkeypatch.setenv("ZORGCERT_LANG", "nl")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return User(home, Desktop(Paths(root / "config", root / "data", root / "logs")), issuer)


@pytest.fixture()
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desktop:
    """A user with no certificates and no issuer configured (for pages that need no network)."""
    root = tmp_path / "zorgcert"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    for var in ("ZORGCERT_ISSUER_URL", "ZORGCERT_ISSUER_CA"):
        monkeypatch.delenv(var, raising=False)
    return Desktop(Paths(root / "config", root / "data", root / "logs"))
