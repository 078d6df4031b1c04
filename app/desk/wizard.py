"""The install wizard's map, without Qt: its pages, when Next/Back are allowed, and where a failure leads.

The PIN itself never enters this module: the wizard state only knows *that* one was typed.
Messages are i18n keys (``ui.*``, in ``resources/locale``) with their parameters, so the
desktop app shows them and the tests can check them without a screen.
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass, field
from typing import Any

from app import policy
from app.state import stores


class Page(enum.StrEnum):
    WELCOME = "welcome"
    KIND = "kind"
    CREDENTIALS = "credentials"
    PROGRESS = "progress"
    BACKUP = "backup"
    DONE = "done"


ORDER = [Page.WELCOME, Page.KIND, Page.CREDENTIALS, Page.PROGRESS, Page.BACKUP, Page.DONE]

# The stages ``ZorgCert.install`` reports through its progress callback, in order.
STAGES = ["contact", "key", "enroll", "install", "cleanup"]
# A cancel asked before one of these stages begins stops the work: nothing has reached the issuer yet
# (the key made for nothing is rolled back). Once "enroll" has begun the request is out: the work finishes.
CANCEL_POINTS = ("contact", "key", "enroll")
RENEW_CANCEL_POINTS = ("key", "enroll")


@dataclass(frozen=True)
class Verdict:
    """Allowed or not; when not, the i18n key (and parameters) that says why. An empty key: say nothing yet."""

    ok: bool
    key: str = ""
    params: dict[str, Any] = field(default_factory=dict)


OK = Verdict(True)


@dataclass
class InstallState:
    """What the user chose so far and how far the work got."""

    kind: str = "personal"
    store: str = "auto"
    folder: str = ""  # for a file store
    user_number: str = ""
    pin_typed: bool = False
    running: bool = False
    installed: bool = False
    valid_until: str = ""
    backup_made: bool = False
    skip_backup_confirmed: bool = False
    failure: str = ""  # the code of the last refusal or failure, "" when none
    refused_number: str = ""  # a user number refused before the PIN (installed here and valid): Next stays off


@dataclass(frozen=True)
class StoreChoice:
    """One place a certificate can go: the ``--store`` spec, its label key, whether it needs a folder."""

    spec: str
    label_key: str
    needs_folder: bool = False


# The words for each store spec the wizard offers first (which spec on which OS: ``app.state.stores.PLATFORMS``).
_USUAL_LABELS = {"windows": "ui.store.windows_user", "windows:LocalMachine": "ui.store.windows_machine",
                 "macos": "ui.store.macos", "nss": "ui.store.nss", stores.DEFAULT_FOLDER: "ui.store.files_default"}


def store_choices(kind: str, platform: str = sys.platform) -> list[StoreChoice]:
    """Where a certificate of ``kind`` can be installed on ``platform``; the first is the usual place."""
    usual = stores.usual_spec(kind, platform)
    return [StoreChoice(usual, _USUAL_LABELS[usual]), StoreChoice("file:", "ui.store.folder", needs_folder=True)]


def store_spec(state: InstallState) -> str:
    """The ``store=`` argument for ``ZorgCert.install`` from the wizard's choice."""
    if state.store == "file:":
        return f"file:{state.folder}"
    return state.store


def check_user_number(text: str) -> Verdict:
    """Live feedback while typing: empty says nothing, short says how many digits are missing, typos show."""
    number = policy.normalise_user_number(text)
    if not number:
        return Verdict(False)
    if not number.isascii() or not number.isdigit():
        return Verdict(False, "ui.number.digits_only")
    missing = policy.USER_NUMBER_DIGITS - len(number)
    if missing > 0:
        return Verdict(False, "ui.number.missing", {"count": missing})
    if missing < 0:
        return Verdict(False, "ui.number.too_long", {"count": -missing})
    if not policy.is_valid_user_number(number):
        return Verdict(False, "ui.number.typo")
    return OK


def caps_lock_likely(text: str, shift: bool) -> bool | None:
    """Whether Caps Lock is on, judged from one typed letter; None when the key says nothing (digits)."""
    if len(text) != 1 or not text.isalpha() or text.lower() == text.upper():
        return None
    return text.isupper() != shift


def can_go_next(page: Page, state: InstallState) -> Verdict:
    """May the user press Next on ``page``?"""
    if page is Page.KIND:
        if state.kind not in ("personal", "system"):
            return Verdict(False, "ui.kind.choose")
        if state.store == "file:" and not state.folder.strip():
            return Verdict(False, "ui.kind.folder_needed")
        return OK
    if page is Page.CREDENTIALS:
        number = check_user_number(state.user_number)
        if not number.ok:
            return number if number.key else Verdict(False, "ui.number.needed")
        if state.refused_number and policy.normalise_user_number(state.user_number) == state.refused_number:
            return Verdict(False)  # the explanation on the page says why and what to do instead
        if not state.pin_typed:
            return Verdict(False, "ui.pin.needed")
        return OK
    if page is Page.PROGRESS:
        return OK if state.installed else Verdict(False)
    if page is Page.BACKUP:
        if state.backup_made or state.skip_backup_confirmed:
            return OK
        return Verdict(False, "ui.backup.make_or_skip")
    return OK


def can_go_back(page: Page, state: InstallState) -> bool:
    """Back is allowed until the work starts; once installed the way is forward only."""
    if state.running or state.installed:
        return False
    return page in (Page.KIND, Page.CREDENTIALS, Page.PROGRESS)


def next_page(page: Page, state: InstallState) -> Page | None:
    """The page after ``page`` when Next is allowed, else None."""
    if not can_go_next(page, state).ok or page is Page.DONE:
        return None
    return ORDER[ORDER.index(page) + 1]


def previous_page(page: Page, state: InstallState) -> Page | None:
    """The page Back leads to, or None when Back is not allowed."""
    if not can_go_back(page, state):
        return None
    return ORDER[ORDER.index(page) - 1]


# Failures the user fixes by typing again: the wizard goes back to the user number and PIN.
RETYPE = {"pin-invalid", "not-found", "error.user_number", "error.pin_empty", "error.user_number_typo",
          "error.already_installed", "error.already_installed_renew"}
# Failures the user fixes by changing where it goes.
RECHOOSE = {"error.store", "error.keyring"}


def page_after_failure(code: str) -> Page:
    """Where the wizard takes the user after a refusal or failure with this code."""
    if code in RETYPE:
        return Page.CREDENTIALS
    if code in RECHOOSE:
        return Page.KIND
    return Page.PROGRESS  # explained there: blocked, window passed, still valid, unreachable, cancelled ...


def failure_offers(code: str) -> list[str]:
    """Extra ways forward a failure page offers besides 'try again': restore a backup, Support, contact person."""
    if code == "still-valid":
        return ["restore", "support"]
    if code in ("install-window-expired", "revoked", "user-blocked", "not-approved", "no-agreement"):
        return ["support"]
    if code in ("error.unreachable", "error.untrusted", "error.protocol"):
        return ["doctor", "support"]
    if code.startswith("error.") and code not in ("error.cancelled", "error.deferred"):  # deferred: nothing to fix
        return ["support"]
    return []


# --- the backup / restore wizard ------------------------------------------------------------


class Step(enum.StrEnum):
    CHOOSE = "choose"  # make a backup or restore one (and of which certificate)
    MAKE = "make"  # where, passphrase and meter
    TEST = "test"  # the restore test: the new file opens with the passphrase typed again
    PICK = "pick"  # which backup file to restore; what is in it
    RESTORE = "restore"  # passphrase, then the restore itself
    FINISHED = "finished"


MAKE_STEPS = [Step.CHOOSE, Step.MAKE, Step.TEST, Step.FINISHED]
RESTORE_STEPS = [Step.CHOOSE, Step.PICK, Step.RESTORE, Step.FINISHED]


@dataclass
class BackupState:
    mode: str = "make"  # make | restore
    user_number: str = ""  # the certificate to back up
    made: bool = False
    tested: bool = False
    picked: bool = False  # a file that reads as a backup was chosen
    restored: bool = False
    running: bool = False


def steps_for(state: BackupState) -> list[Step]:
    return MAKE_STEPS if state.mode == "make" else RESTORE_STEPS


def backup_can_go_next(step: Step, state: BackupState) -> Verdict:
    """May the user press Next on ``step`` of the backup wizard?"""
    if state.running:
        return Verdict(False)
    if step is Step.CHOOSE:
        if state.mode == "make" and not state.user_number:
            return Verdict(False, "ui.bwiz.choose_certificate")
        return OK
    if step is Step.MAKE:
        return OK if state.made else Verdict(False)
    if step is Step.PICK:
        return OK if state.picked else Verdict(False)
    if step is Step.RESTORE:
        return OK if state.restored else Verdict(False)
    return OK  # TEST: the test is offered, not forced (the backup is already safe on disk)


def backup_next(step: Step, state: BackupState) -> Step | None:
    if step is Step.FINISHED or not backup_can_go_next(step, state).ok:
        return None
    steps = steps_for(state)
    return steps[steps.index(step) + 1]


def backup_back(step: Step, state: BackupState) -> Step | None:
    """Back is allowed until something was written: a made backup or a restore is not undone by Back."""
    if state.running or step in (Step.CHOOSE, Step.FINISHED, Step.TEST) or state.made or state.restored:
        return None
    steps = steps_for(state)
    return steps[steps.index(step) - 1]
