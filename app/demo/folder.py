"""The demo folder: where the demo keeps what, whether a folder is one the demo made, and the
error the demo stops with.

Everything lives in one demo folder: the issuer's data (CA, SQLite, outbox), the app's
state (a ``ZORGCERT_HOME`` of its own, so the user's real ZorgCert settings stay
untouched) and, on Linux, a home folder of its own for the app, so the demo certificate
and the demo CA go into a demo NSS database instead of the user's browser.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import ZorgCertError
from app.i18n import t
from app.state.files import read_json
from app.state.paths import paths


class DemoError(ZorgCertError):
    """The demo could not start; the key names the reason."""

    exit_code = 1

    def __init__(self, key: str, details: str = "", **params: Any):
        super().__init__(details, **params)
        self._key = key

    @property
    def key(self) -> str:  # type: ignore[override]
        return self._key


@dataclass(frozen=True)
class Layout:
    """Where the demo keeps what."""

    folder: Path

    @property
    def issuer(self) -> Path:
        return self.folder / "issuer"

    @property
    def app_home(self) -> Path:
        """The demo's ``ZORGCERT_HOME``."""
        return self.folder / "app"

    @property
    def user_home(self) -> Path:
        """``HOME`` of the app on Linux: its NSS database is the demo's, not the browser's."""
        return self.folder / "home"

    @property
    def state(self) -> Path:
        return self.folder / "demo.json"

    @property
    def issuer_log(self) -> Path:
        return self.folder / "issuer.log"

    @property
    def app_log(self) -> Path:
        return self.folder / "app.log"

    @property
    def root_ca(self) -> Path:
        return self.issuer / "root-ca.pem"

    @property
    def keyring(self) -> Path:
        """The demo's own keyring: gnome-keyring's files and its throwaway unlock secret (Linux)."""
        return self.folder / "keyring"

    @property
    def keyring_log(self) -> Path:
        return self.folder / "keyring.log"


def default_folder(short: bool) -> Path:
    """The demo folder in ZorgCert's data folder; short and real durations each have their own."""
    return paths().data_dir / ("demo-short" if short else "demo")


def prepare_folder(layout: Layout, mode: str, *, fresh: bool, lang: str) -> dict[str, Any]:
    """Empty the folder if asked (only if it is a demo folder); the demo's saved state."""
    marker = layout.state.exists() or (layout.issuer / "issuer.toml").exists()
    if fresh and layout.folder.exists():
        if not marker and any(layout.folder.iterdir()):
            raise DemoError("demo.not_a_demo_folder", f"{layout.folder} has no demo.json", folder=str(layout.folder))
        shutil.rmtree(layout.folder)
    state = dict(read_json(layout.state, {}))
    if not state and layout.folder.exists() and any(layout.folder.iterdir()) and not marker:
        raise DemoError("demo.not_a_demo_folder", f"{layout.folder} is not empty", folder=str(layout.folder))
    if state.get("mode", mode) != mode:
        raise DemoError("demo.mode_mismatch", f"folder made with {state['mode']}", folder=str(layout.folder),
                        mode=t(f"demo.mode.{state['mode']}", lang))
    return state
