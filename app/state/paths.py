"""Where ZorgCert keeps its state: platformdirs, or all of it under ``ZORGCERT_HOME``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    log_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.json"

    @property
    def wallet_file(self) -> Path:
        """What this machine holds: certificates, where they are installed, last backups."""
        return self.data_dir / "wallet.json"

    @property
    def vault_dir(self) -> Path:
        """Encrypted copies of the private keys (the key to them lives in the OS keyring)."""
        return self.data_dir / "vault"

    @property
    def journal_dir(self) -> Path:
        """Operations under way: an install or renewal that a crash interrupted is finished from here."""
        return self.data_dir / "journal"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "zorgcert.lock"

    @property
    def files_dir(self) -> Path:
        """Default home of file-store identities (system certificates for administration software)."""
        return self.data_dir / "files"


def paths() -> Paths:
    """The folders for this user; ``ZORGCERT_HOME`` puts everything in one folder."""
    home = os.environ.get("ZORGCERT_HOME")
    if home:
        root = Path(home).expanduser()
        return Paths(root / "config", root / "data", root / "logs")
    import platformdirs  # the one import made late here: tests, demos and benchmarks set ZORGCERT_HOME

    return Paths(
        Path(platformdirs.user_config_dir("ZorgCert", appauthor=False)),
        Path(platformdirs.user_data_dir("ZorgCert", appauthor=False)),
        Path(platformdirs.user_log_dir("ZorgCert", appauthor=False)),
    )
