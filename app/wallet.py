"""What this machine holds: one entry per user number, in ``wallet.json``.

Plain JSON and nothing heavy to import, so ``zorgcert status`` starts fast.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app.files import read_json, write_json
from keystore.base import StoreRef

VERSION = 1


@dataclass
class Entry:
    user_number: str
    kind: str  # personal | system
    name: str
    organisation: str
    subject: str
    serial: str
    fingerprint: str
    not_before: str  # ISO 8601, UTC
    not_after: str
    installed_at: str  # when this certificate was installed or renewed here
    how: str  # install | reinstall | renew | restore
    issuer_url: str
    policy: dict[str, Any]  # the issuer's durations when installed (ISO 8601)
    stores: list[StoreRef] = field(default_factory=list)
    last_backup_at: str | None = None
    revoked: bool = False

    @property
    def not_after_dt(self) -> datetime:
        return datetime.fromisoformat(self.not_after)

    @property
    def backup_is_current(self) -> bool:
        """R8: a backup made after the last install, reinstall or renewal."""
        return self.last_backup_at is not None and self.last_backup_at >= self.installed_at

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["stores"] = [ref.as_json() for ref in self.stores]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        data = dict(data)
        data["stores"] = [StoreRef.from_json(r) for r in data.get("stores", [])]
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


class Wallet:
    def __init__(self, path: Path):
        self.path = path
        raw = read_json(path, {"version": VERSION, "certificates": []})
        if raw.get("version", VERSION) > VERSION:
            raise ValueError(f"{path} was written by a newer ZorgCert")
        self._entries = {e["user_number"]: Entry.from_json(e) for e in raw.get("certificates", [])}

    def entries(self) -> list[Entry]:
        return sorted(self._entries.values(), key=lambda e: e.not_after)

    def get(self, user_number: str) -> Entry | None:
        return self._entries.get(user_number)

    def put(self, entry: Entry) -> None:
        """Record (or replace) the entry of a user number and save at once."""
        self._entries[entry.user_number] = entry
        self.save()

    def save(self) -> None:
        write_json(self.path, {"version": VERSION, "certificates": [e.as_json() for e in self._entries.values()]})
