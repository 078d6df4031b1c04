"""The core as the desktop app and the tray agent call it: one object, every call safe to run in a worker thread.

Each call builds its own ``ZorgCert`` (state is read fresh from disk; the instance lock
keeps two writers apart), so the GUI thread never touches files, the network or keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.clock import Clock, SystemClock
from app.errors import NoIssuerConfigured, ZorgCertError
from app.paths import Paths

log = logging.getLogger("zorgcert")

Progress = Callable[[str], None]


@dataclass
class Desktop:
    """This user's ZorgCert state and issuer, for the GUI."""

    paths: Paths
    clock: Clock = SystemClock()

    def core(self, *, need_issuer: bool = True) -> Any:
        from app import config
        from app.services import ZorgCert

        try:
            issuer = config.issuer(self.paths)
        except NoIssuerConfigured:
            if need_issuer:
                raise
            issuer = None
        return ZorgCert(self.paths, issuer, clock=self.clock)

    def now(self) -> datetime:
        return self.clock.now()

    def status(self) -> list[dict[str, Any]]:
        """Every certificate with its state; first finishes work a crash left behind, if the issuer answers."""
        from app.journal import Journal

        if Journal(self.paths.journal_dir).pending():  # rare: only then the whole core (vault, stores, issuer)
            core = self.core(need_issuer=False)
            try:  # without an issuer, what only the issuer can settle waits (app.services); the rest is finished
                core.recover()
            except ZorgCertError as exc:
                log.warning("recovery before status failed: %s", exc.details)
            return list(core.status())
        from app import status  # the light path ``zorgcert status`` takes: wallet, policy, store listings

        return status.rows(self.paths, self.clock.now())

    def notices(self, lang: str) -> list[str]:
        """What ZorgCert did on its own since last asked (a damaged file set aside, the wallet rebuilt), in words."""
        from app.statefiles import pending_texts

        texts = pending_texts(lang)
        for text in texts:
            log.warning("told the user: %s", text.splitlines()[0])
        return texts

    def install(self, user_number: str, pin: str, *, kind: str, store: str, progress: Progress) -> Any:
        """Install (or reinstall) with user number and PIN; the wallet entry. A cancel rolls back at once."""
        from app.errors import Cancelled

        core = self.core()
        try:
            return core.install(user_number, pin, kind=kind, store=store, progress=progress).entry
        except Cancelled:
            self._roll_back_quietly(core)
            raise

    def renew(self, user_number: str, *, progress: Progress) -> Any:
        """Renew inside the window; the new wallet entry."""
        from app.errors import Cancelled

        core = self.core()
        try:
            return core.renew(user_number, progress=progress).entry
        except Cancelled:
            self._roll_back_quietly(core)
            raise

    @staticmethod
    def _roll_back_quietly(core: Any) -> None:
        """A cancel after the key was made: the issuer saw nothing, so recovery rolls the key back now."""
        try:
            core.recover()
        except ZorgCertError as exc:  # the issuer is gone: the next run rolls it back
            log.info("rollback after cancel deferred: %s", exc.details)

    def checks(self, lang: str) -> list[dict[str, Any]]:
        from app.doctor import run_checks

        return list(run_checks(self.paths, lang))

    def contact_person(self, user_number: str | None = None) -> Any:
        from app.contact import contact_person

        return contact_person(self.core(), user_number)

    def support_file(self, out: Path, *, lang: str, checks: list[dict[str, Any]] | None = None) -> Path:
        from app.support import make_support_file

        make_support_file(self.core(need_issuer=False), out, now=self.now(), checks=checks, lang=lang)
        return out

    def suggested_support_path(self) -> Path:
        from app.support import default_name

        return self.default_folder() / default_name(self.now())

    def default_folder(self) -> Path:
        """Where a backup is offered to go: Documents if there is one, else the home folder."""
        documents = Path.home() / "Documents"
        return documents if documents.is_dir() else Path.home()

    # --- backups (app.backups) --------------------------------------------------------------

    def passphrase_strength(self, passphrase: str, confirmation: str | None = None,
                            user_inputs: list[str] | None = None, lang: str | None = None) -> Any:
        """The meter's verdict on a passphrase (pure; fast enough to call on every key press)."""
        from app import backups

        return backups.check_passphrase(passphrase, confirmation, user_inputs=user_inputs or (), lang=lang)

    def suggested_backup_path(self, user_number: str) -> Path:
        from app import backups

        return self.default_folder() / backups.default_backup_name(user_number, self.now())

    def make_backup(self, user_number: str, out: str | Path, passphrase: str, *, progress: Progress,
                    overwrite: bool = False) -> Any:
        """The backup report; ``FileExists`` when ``out`` exists and the user has not agreed to replace it."""
        from app import backups

        return backups.make_backup(self.core(need_issuer=False), user_number, Path(out), passphrase,
                                   progress=progress, overwrite=overwrite)

    def inspect_backup(self, path: str | Path) -> Any:
        from app import backups

        return backups.inspect_backup(Path(path))

    def test_backup(self, path: str | Path, passphrase: str) -> Any:
        """The restore test: the file opens with ``passphrase`` and holds the certificate it names; installs nothing."""
        from app import backups
        from app.errors import BackupDamaged, WrongPassphrase
        from backup import envelope
        from backup.payload import Contents
        from keystore.base import fingerprint

        info = backups.inspect_backup(Path(path))  # names every problem of the file itself
        data = Path(info.path).read_bytes()
        try:
            payload, meta = envelope.open_(data, passphrase)
            contents = Contents.decode(payload)
        except envelope.WrongPassphraseOrTampered:
            raise WrongPassphrase("wrong passphrase", path=info.path) from None
        except (envelope.BackupFormatError, ValueError) as exc:
            raise BackupDamaged(type(exc).__name__, path=info.path) from None
        if fingerprint(contents.cert_der) != (meta.fingerprint or info.fingerprint):
            raise BackupDamaged("the certificate inside is not the one the file names", path=info.path)
        return info

    def restore_backup(self, path: str | Path, passphrase: str, *, progress: Progress, store: str = "auto") -> Any:
        from app import backups

        return backups.restore_backup(self.core(need_issuer=False), Path(path), passphrase, store=store,
                                      progress=progress)

    # --- settings ---------------------------------------------------------------------------

    def language(self, explicit: str | None = None) -> str:
        from app import preferences

        return preferences.language(self.paths, explicit)

    def set_language(self, lang: str) -> None:
        from app import preferences

        prefs = preferences.load(self.paths)
        prefs.lang = lang
        preferences.save(self.paths, prefs)

    def autostart(self) -> Any:
        from app.autostart import for_platform

        return for_platform()

    def set_autostart(self, on: bool) -> None:
        from app.autostart import agent_command

        if on:
            self.autostart().enable(agent_command())
        else:
            self.autostart().disable()

    # --- the tray agent's reminders -----------------------------------------------------------

    def due_reminders(self, rows: list[dict[str, Any]]) -> list[Any]:
        from app.reminders import ReminderLog, due

        return due(rows, self.now(), ReminderLog.for_paths(self.paths))

    def mark_told(self, reminder: Any) -> None:
        from app.reminders import ReminderLog

        ReminderLog.for_paths(self.paths).mark_told(reminder)

    def record_renewal_failure(self, row: dict[str, Any], error: ZorgCertError) -> None:
        """Remember a failed renewal so the tray says so once (its code and plain parameters, no secrets)."""
        from app.explain import explain, plain_params
        from app.reminders import ReminderLog

        ReminderLog.for_paths(self.paths).record_failure(row, explain(error, "en").code, self.now(),
                                                         plain_params(error))

    def next_check(self, rows: list[dict[str, Any]]) -> datetime:
        from app.reminders import next_check

        return next_check(rows, self.now())
