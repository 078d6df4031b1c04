"""The core as the desktop app and the tray agent call it: one object, every call safe to run in a worker thread.

Each call builds its own ``ZorgCert`` (state is read fresh from disk; the instance lock
keeps two writers apart), so the GUI thread never touches files, the network or keys.
Everything handed to the UI is typed (wallet ``Entry``, ``StatusRow``, doctor ``Check``,
the backup reports): the type checker guards this seam.

Lazy imports (start-up speed, docs/performance.md): the dashboard's first paint needs only
the wallet, the policy and the store listings (``app.lifecycle.status``). ``app.lifecycle.services`` (vault,
stores), ``app.backups.*`` (cryptography, Argon2, zxcvbn), ``app.troubleshoot.doctor``, ``app.troubleshoot.support``,
``app.explain``, ``app.desk.autostart`` and ``app.practice.*`` are imported inside the one method that needs them,
and nowhere else here; everything else is imported at the top.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.clock import Clock, SystemClock
from app.desk.reminders import Reminder, ReminderLog, due, next_check
from app.errors import Cancelled, NoIssuerConfigured, ZorgCertError
from app.lifecycle import status
from app.lifecycle.contact import ContactPerson, contact_person
from app.state import config, preferences
from app.state.journal import Journal
from app.state.paths import Paths
from app.state.statefiles import pending_texts
from app.state.wallet import Entry

if TYPE_CHECKING:
    from app.backups.backup import BackupReport
    from app.backups.fileinfo import BackupInfo
    from app.backups.passphrase import Strength
    from app.backups.restore import RestoreOutcome
    from app.desk.autostart import Autostart
    from app.lifecycle.services import ZorgCert
    from app.lifecycle.status import StatusRow
    from app.practice.api import Practice, RequestReceipt
    from app.practice.forms import Applicant
    from app.practice.messages import Message, MessageBox, Pin
    from app.practice.users import Desk, Organisation
    from app.troubleshoot.doctor import Check

log = logging.getLogger("zorgcert")

Progress = Callable[[str], None]


@dataclass
class Desktop:
    """This user's ZorgCert state and issuer, for the GUI."""

    paths: Paths
    clock: Clock = SystemClock()

    def core(self, *, need_issuer: bool = True) -> ZorgCert:
        from app.lifecycle.services import ZorgCert  # lazy: see the module docstring

        try:
            issuer = config.issuer(self.paths)
        except NoIssuerConfigured:
            if need_issuer:
                raise
            issuer = None
        return ZorgCert(self.paths, issuer, clock=self.clock)

    def now(self) -> datetime:
        return self.clock.now()

    def status(self) -> list[StatusRow]:
        """Every certificate with its state; first finishes work a crash left behind, if the issuer answers."""
        if Journal(self.paths.journal_dir).pending():  # rare: only then the whole core (vault, stores, issuer)
            core = self.core(need_issuer=False)
            # without an issuer, what only the issuer can settle waits (app.lifecycle.services); the rest is finished
            try:
                core.recover()
            except ZorgCertError as exc:
                log.warning("recovery before status failed: %s", exc.details)
            return list(core.status())
        return status.rows(self.paths, self.clock.now())  # the light path ``zorgcert status`` takes

    def notices(self, lang: str) -> list[str]:
        """What ZorgCert did on its own since last asked (a damaged file set aside, the wallet rebuilt), in words;
        then every request the issuer accepted and answers later ("aanvraag ontvangen, wacht op goedkeuring;
        volgende poging om 14:05"), for as long as it waits (the dashboard shows these lines)."""
        texts = pending_texts(lang)
        for text in texts:
            log.warning("told the user: %s", text.splitlines()[0])
        return texts + [w.text(lang) for w in status.waiting(self.paths)]

    def install(self, user_number: str, pin: str, *, kind: str, store: str, progress: Progress) -> Entry:
        """Install (or reinstall) with user number and PIN; the wallet entry. A cancel rolls back at once."""
        core = self.core()
        try:
            return core.install(user_number, pin, kind=kind, store=store, progress=progress).entry
        except Cancelled:
            self._roll_back_quietly(core)
            raise

    def renew(self, user_number: str, *, progress: Progress) -> Entry:
        """Renew inside the window; the new wallet entry."""
        core = self.core()
        try:
            return core.renew(user_number, progress=progress).entry
        except Cancelled:
            self._roll_back_quietly(core)
            raise

    @staticmethod
    def _roll_back_quietly(core: ZorgCert) -> None:
        """A cancel after the key was made: the issuer saw nothing, so recovery rolls the key back now."""
        try:
            core.recover()
        except ZorgCertError as exc:  # the issuer is gone: the next run rolls it back
            log.info("rollback after cancel deferred: %s", exc.details)

    def checks(self, lang: str) -> list[Check]:
        from app.troubleshoot.doctor import run_checks  # lazy: see the module docstring

        return list(run_checks(self.paths, lang))

    def contact_person(self, user_number: str | None = None) -> ContactPerson:
        return contact_person(self.core(), user_number)

    def support_file(self, out: Path, *, lang: str, checks: list[Check] | None = None) -> Path:
        from app.troubleshoot.support import make_support_file  # lazy: see the module docstring

        make_support_file(self.core(need_issuer=False), out, now=self.now(), checks=checks, lang=lang)
        return out

    def suggested_support_path(self) -> Path:
        from app.troubleshoot.support import default_name  # lazy: see the module docstring

        return self.default_folder() / default_name(self.now())

    def default_folder(self) -> Path:
        """Where a backup is offered to go: Documents if there is one, else the home folder."""
        documents = Path.home() / "Documents"
        return documents if documents.is_dir() else Path.home()

    # --- backups (app.backups) --------------------------------------------------------------

    def passphrase_strength(self, passphrase: str, confirmation: str | None = None,
                            user_inputs: list[str] | None = None, lang: str | None = None) -> Strength:
        """The meter's verdict on a passphrase (pure; fast enough to call on every key press)."""
        from app.backups.passphrase import check_passphrase  # lazy: see the module docstring

        return check_passphrase(passphrase, confirmation, user_inputs=user_inputs or (), lang=lang)

    def suggested_backup_path(self, user_number: str) -> Path:
        from app.backups.fileinfo import default_backup_name  # lazy: see the module docstring

        return self.default_folder() / default_backup_name(user_number, self.now())

    def make_backup(self, user_number: str, out: str | Path, passphrase: str, *, progress: Progress,
                    overwrite: bool = False) -> BackupReport:
        """The backup report; ``FileExists`` when ``out`` exists and the user has not agreed to replace it."""
        from app.backups.backup import make_backup  # lazy: see the module docstring

        return make_backup(self.core(need_issuer=False), user_number, Path(out), passphrase, progress=progress,
                           overwrite=overwrite)

    def inspect_backup(self, path: str | Path) -> BackupInfo:
        from app.backups.fileinfo import inspect_backup  # lazy: see the module docstring

        return inspect_backup(Path(path))

    def test_backup(self, path: str | Path, passphrase: str) -> BackupInfo:
        """The restore test: the file opens with ``passphrase`` and holds the certificate it names; installs nothing."""
        from app.backups.fileinfo import verify_backup  # lazy: see the module docstring

        return verify_backup(Path(path), passphrase)

    def restore_backup(self, path: str | Path, passphrase: str, *, progress: Progress,
                       store: str = "auto") -> RestoreOutcome:
        from app.backups.restore import restore_backup  # lazy: see the module docstring

        return restore_backup(self.core(need_issuer=False), Path(path), passphrase, store=store, progress=progress)

    # --- settings ---------------------------------------------------------------------------

    def language(self, explicit: str | None = None) -> str:
        return preferences.language(self.paths, explicit)

    def set_language(self, lang: str) -> None:
        prefs = preferences.load(self.paths)
        prefs.lang = lang
        preferences.save(self.paths, prefs)

    def autostart(self) -> Autostart:
        from app.desk.autostart import for_platform  # lazy: see the module docstring

        return for_platform()

    def set_autostart(self, on: bool) -> None:
        from app.desk.autostart import agent_command  # lazy: see the module docstring

        if on:
            self.autostart().enable(agent_command())
        else:
            self.autostart().disable()

    # --- the tray agent's reminders -----------------------------------------------------------

    def due_reminders(self, rows: list[StatusRow]) -> list[Reminder]:
        return due(rows, self.now(), ReminderLog.for_paths(self.paths))

    def mark_told(self, reminder: Reminder) -> None:
        ReminderLog.for_paths(self.paths).mark_told(reminder)

    def record_renewal_failure(self, row: StatusRow, error: ZorgCertError) -> None:
        """Remember a failed renewal so the tray says so once (its code and plain parameters, no secrets)."""
        from app.explain import explain, plain_params  # lazy: see the module docstring

        ReminderLog.for_paths(self.paths).record_failure(row, explain(error, "en").code, self.now(),
                                                         plain_params(error))

    def next_check(self, rows: list[StatusRow]) -> datetime:
        """When the tray agent looks again: the next reminder, or a deferred request's next attempt if sooner."""
        at = next_check(rows, self.now())
        for w in status.waiting(self.paths):
            at = min(at, datetime.fromisoformat(w.next_attempt))  # one wake at the moment, not a poll
        return at

    # --- the contact person's desk (app.practice, issue 16) -------------------------------------
    # ``as_user``: the certificate of this wallet to log in with (default: the longest-valid personal one).
    # Each call logs in afresh; every refusal by the issuer is a ZorgCertError as elsewhere (explain() says it).

    def _practice(self, as_user: str | None) -> Practice:
        from app.practice.api import Practice  # lazy: see the module docstring

        return Practice(self.core(), as_user)

    def is_contact_person(self, as_user: str | None = None) -> bool:
        """Whether a certificate of this wallet belongs to the organisation's contact person (shows the tab).

        False when no issuer is configured, there is no usable certificate or the issuer has no JSON API; an
        unreachable issuer raises.
        """
        from app.errors import ExtensionMissing, NotInWallet

        try:
            return self._practice(as_user).viewer().is_contact_person
        except (NotInWallet, ExtensionMissing, NoIssuerConfigured):
            return False

    def org_desk(self, as_user: str | None = None) -> Desk:
        """User management: who looks, the organisation, its users in their state now, the catalogue, Support.

        ``desk.verdicts(user)`` says per action whether the rules allow it and, if not, why (a message key).
        """
        return self._practice(as_user).desk()

    def request_user(self, name: str, email: str, kind: str, authorisations: tuple[str, ...] | None = None,
                     as_user: str | None = None) -> RequestReceipt:
        """R1: request a personal or system certificate for a colleague; Support approves it later."""
        return self._practice(as_user).request_user(name=name, email=email, kind=kind, authorisations=authorisations)

    def unblock_user(self, user_number: str, as_user: str | None = None) -> None:
        """R12: unblock a personal certificate's user (the issuer refuses a system one: only Support)."""
        self._practice(as_user).unblock(user_number)

    def revoke_user(self, user_number: str, reason: str, as_user: str | None = None) -> tuple[str, ...]:
        """R9: revoke for good, ``reason`` one of ``app.practice.users.REVOKE_REASONS``; the revoked serials."""
        return self._practice(as_user).revoke(user_number, reason)

    def authorise(self, user_number: str, service: str, as_user: str | None = None) -> tuple[str, ...]:
        """R10: grant ``service`` (an id of the catalogue); the user's authorisations after."""
        return self._practice(as_user).set_authorisation(user_number, service, True)

    def deauthorise(self, user_number: str, service: str, as_user: str | None = None) -> tuple[str, ...]:
        """R10: withdraw ``service``; the user's authorisations after."""
        return self._practice(as_user).set_authorisation(user_number, service, False)

    def message_box(self, as_user: str | None = None) -> MessageBox:
        """The message box, newest first (``.unread`` for the tab); PIN messages without their PIN."""
        return self._practice(as_user).messages()

    def unread_count(self, as_user: str | None = None) -> int:
        return self.message_box(as_user).unread

    def open_message(self, message_id: int, as_user: str | None = None) -> Message:
        """One message opened (the issuer marks it read); a PIN in it stays masked: see ``reveal_pin``."""
        return self._practice(as_user).open_message(message_id)

    def reveal_pin(self, message_id: int, as_user: str | None = None) -> Pin:
        """The PIN of a PIN message, only on the user's deliberate click; ``pin.reveal()`` gives the digits.

        Never log it; offer no copy by default (``app.practice.messages.COPY_OFFERED_BY_DEFAULT``), and clear a
        copied PIN after ``CLIPBOARD_CLEAR_SECONDS``.
        """
        return self._practice(as_user).reveal_pin(message_id)

    def delete_message(self, message_id: int, as_user: str | None = None) -> None:
        self._practice(as_user).delete_message(message_id)

    def suggested_form_path(self, form: str) -> Path:
        """Where a paper form is offered to go (``form``: ``request`` or ``zorginkoopportaal``)."""
        from app.practice.forms import default_name  # lazy: see the module docstring

        return self.default_folder() / default_name(form, self.now())

    def make_form(self, form: str, out: Path, *, lang: str, applicant: Applicant | None = None,
                  as_user: str | None = None) -> Path:
        """R1: a paper form as PDF (``request`` or ``zorginkoopportaal``), pre-filled with the organisation's details
        when a certificate of this wallet can ask the issuer (blank lines otherwise) and with ``applicant``."""
        from app.practice.forms import make_form  # lazy: see the module docstring

        organisation, send_to = self._form_facts(as_user)
        return make_form(form, Path(out), lang=lang, organisation=organisation, applicant=applicant, now=self.now(),
                         send_to=send_to)

    def _form_facts(self, as_user: str | None) -> tuple[Organisation | None, str]:
        """The organisation and how to reach Support, if a certificate of this wallet can ask the issuer."""
        from app.errors import ExtensionMissing, NoIssuerConfigured, NotInWallet
        from app.practice.api import support_from  # lazy: see the module docstring

        try:
            practice = self._practice(as_user)
            return practice.organisation(), support_from(practice.me()).how()
        except (NotInWallet, ExtensionMissing, NoIssuerConfigured):
            return None, ""
