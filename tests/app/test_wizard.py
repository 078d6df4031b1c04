"""The wizards' maps without Qt: page order, when Next and Back are allowed, where a failure leads."""

from __future__ import annotations

import pytest

from app import policy
from app.desk import wizard
from app.desk.wizard import BackupState, InstallState, Page, Step

GOOD = policy.make_user_number("1234567890123")


def test_user_number_feedback_while_typing() -> None:
    assert wizard.check_user_number("") == wizard.Verdict(False)  # nothing typed: say nothing
    short = wizard.check_user_number("1234 5678")
    assert not short.ok and short.key == "ui.number.missing" and short.params == {"count": 6}
    assert wizard.check_user_number(GOOD + "1").key == "ui.number.too_long"
    assert wizard.check_user_number("12345678901ab4").key == "ui.number.digits_only"
    assert wizard.check_user_number("１２３４５６７８９０１２３４").key == "ui.number.digits_only"  # full-width
    typo = GOOD[:-1] + str((int(GOOD[-1]) + 1) % 10)
    assert wizard.check_user_number(typo).key == "ui.number.typo"
    assert wizard.check_user_number(GOOD).ok
    assert wizard.check_user_number(f"{GOOD[:4]} {GOOD[4:8]}-{GOOD[8:]}").ok  # as printed in the e-mail


def test_linear_order_and_next_rules() -> None:
    state = InstallState()
    assert wizard.next_page(Page.WELCOME, state) is Page.KIND
    assert wizard.next_page(Page.KIND, state) is Page.CREDENTIALS
    assert wizard.next_page(Page.CREDENTIALS, state) is None  # nothing typed yet
    assert wizard.can_go_next(Page.CREDENTIALS, state).key == "ui.number.needed"
    state.user_number = GOOD
    assert wizard.can_go_next(Page.CREDENTIALS, state).key == "ui.pin.needed"
    state.pin_typed = True
    assert wizard.next_page(Page.CREDENTIALS, state) is Page.PROGRESS
    assert wizard.next_page(Page.PROGRESS, state) is None  # not installed yet
    state.installed = True
    assert wizard.next_page(Page.PROGRESS, state) is Page.BACKUP
    assert wizard.next_page(Page.DONE, state) is None


def test_folder_store_needs_a_folder() -> None:
    state = InstallState(kind="system", store="file:")
    assert wizard.can_go_next(Page.KIND, state).key == "ui.kind.folder_needed"
    state.folder = "/srv/his"
    assert wizard.can_go_next(Page.KIND, state).ok
    assert wizard.store_spec(state) == "file:/srv/his"
    assert wizard.store_spec(InstallState(store="nss")) == "nss"


def test_backup_is_skipped_only_past_the_warning() -> None:
    state = InstallState(installed=True)
    verdict = wizard.can_go_next(Page.BACKUP, state)
    assert not verdict.ok and verdict.key == "ui.backup.make_or_skip"
    state.skip_backup_confirmed = True
    assert wizard.next_page(Page.BACKUP, state) is Page.DONE
    assert wizard.next_page(Page.BACKUP, InstallState(installed=True, backup_made=True)) is Page.DONE


def test_back_is_allowed_until_the_work_starts() -> None:
    state = InstallState()
    assert wizard.previous_page(Page.WELCOME, state) is None
    assert wizard.previous_page(Page.CREDENTIALS, state) is Page.KIND
    assert wizard.previous_page(Page.PROGRESS, state) is Page.CREDENTIALS  # after a failure
    state.running = True
    assert wizard.previous_page(Page.PROGRESS, state) is None
    state.running, state.installed = False, True
    assert wizard.previous_page(Page.BACKUP, state) is None  # installed: forward only
    assert wizard.previous_page(Page.PROGRESS, state) is None


@pytest.mark.parametrize(
    ("code", "page"),
    [
        ("pin-invalid", Page.CREDENTIALS),
        ("not-found", Page.CREDENTIALS),
        ("error.user_number", Page.CREDENTIALS),
        ("error.store", Page.KIND),
        ("error.keyring", Page.KIND),
        ("user-blocked", Page.PROGRESS),
        ("install-window-expired", Page.PROGRESS),
        ("still-valid", Page.PROGRESS),
        ("error.unreachable", Page.PROGRESS),
    ],
)
def test_where_a_failure_leads(code: str, page: Page) -> None:
    assert wizard.page_after_failure(code) is page


def test_what_a_failure_offers() -> None:
    assert wizard.failure_offers("still-valid") == ["restore", "support"]
    assert wizard.failure_offers("install-window-expired") == ["support"]
    assert wizard.failure_offers("error.unreachable") == ["doctor", "support"]
    assert wizard.failure_offers("pin-invalid") == []
    assert wizard.failure_offers("error.cancelled") == []


@pytest.mark.parametrize(
    ("text", "shift", "caps"),
    [("a", False, False), ("A", True, False), ("A", False, True), ("a", True, True), ("7", False, None),
     ("", False, None), ("é", False, False), ("É", False, True)],
)
def test_caps_lock_guess(text: str, shift: bool, caps: bool | None) -> None:
    assert wizard.caps_lock_likely(text, shift) is caps


def test_store_choices_per_platform() -> None:
    assert wizard.store_choices("personal", "linux")[0].spec == "nss"
    assert wizard.store_choices("system", "linux")[0].spec == "auto"
    assert wizard.store_choices("personal", "win32")[0].spec == "windows"
    assert wizard.store_choices("system", "win32")[0].spec == "windows:LocalMachine"
    assert wizard.store_choices("personal", "darwin")[0].spec == "macos"
    assert all(choices[-1].needs_folder for choices in
               (wizard.store_choices(k, p) for k in ("personal", "system") for p in ("linux", "win32", "darwin")))


def test_cancel_points_stop_before_the_request_goes_out() -> None:
    assert wizard.CANCEL_POINTS[-1] == "enroll"
    assert "install" not in wizard.CANCEL_POINTS and "install" not in wizard.RENEW_CANCEL_POINTS
    assert wizard.STAGES.index("enroll") < wizard.STAGES.index("install")


def test_backup_wizard_map() -> None:
    state = BackupState(mode="make")
    assert wizard.backup_can_go_next(Step.CHOOSE, state).key == "ui.bwiz.choose_certificate"
    state.user_number = GOOD
    assert wizard.backup_next(Step.CHOOSE, state) is Step.MAKE
    assert wizard.backup_next(Step.MAKE, state) is None
    assert wizard.backup_back(Step.MAKE, state) is Step.CHOOSE
    state.made = True
    assert wizard.backup_next(Step.MAKE, state) is Step.TEST
    assert wizard.backup_back(Step.MAKE, state) is None  # written: no way back
    assert wizard.backup_next(Step.TEST, state) is Step.FINISHED  # the test is offered, not forced
    state.running = True
    assert wizard.backup_next(Step.TEST, state) is None

    restore = BackupState(mode="restore")
    assert wizard.backup_next(Step.CHOOSE, restore) is Step.PICK
    assert wizard.backup_next(Step.PICK, restore) is None
    restore.picked = True
    assert wizard.backup_next(Step.PICK, restore) is Step.RESTORE
    assert wizard.backup_back(Step.RESTORE, restore) is Step.PICK
    restore.restored = True
    assert wizard.backup_next(Step.RESTORE, restore) is Step.FINISHED
    assert wizard.backup_back(Step.RESTORE, restore) is None
