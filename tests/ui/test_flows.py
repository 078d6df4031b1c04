"""Whole flows through the desktop app against the real issuer, a real NSS database and a real keyring.

Qt runs offscreen; every wait is ``qtbot.waitUntil`` on a visible result, never a sleep.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.desk.wizard import Page
from ui.install_wizard import InstallWizard
from ui.main_window import MainWindow
from ui.support_page import CheckRow

from .conftest import STRONG, User

WAIT = 60_000  # ms: a key, an enrollment and certutil, on a busy 2-core machine


def _wizard(qtbot, user: User, tmp_path: Path, **kw) -> InstallWizard:
    kw.setdefault("lang", "nl")
    wizard = InstallWizard(user.desktop, choose_backup_file=lambda _s: str(tmp_path / "b.zcbackup"), **kw)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def _type_credentials(qtbot, wizard: InstallWizard, number: str, pin: str) -> None:
    assert wizard.current == Page.CREDENTIALS.value
    wizard.credentials.number.clear()
    qtbot.keyClicks(wizard.credentials.number, number)
    qtbot.keyClicks(wizard.credentials.pin, pin)
    assert wizard.next_button.isEnabled()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)


def test_install_wizard_end_to_end(qtbot, user: User, tmp_path: Path) -> None:
    number, pin = user.new_holder("Anna de Vries")
    wizard = _wizard(qtbot, user, tmp_path)
    assert not wizard.back_button.isEnabled()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)  # welcome
    assert wizard.current == Page.KIND.value and wizard.state.kind == "personal" and wizard.state.store == "nss"
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    _type_credentials(qtbot, wizard, number, pin)
    assert wizard.current == Page.PROGRESS.value
    assert wizard.credentials.pin.text() == ""  # the PIN left the field the moment it was sent
    assert not wizard.back_button.isEnabled()  # running
    qtbot.waitUntil(lambda: wizard.state.installed, timeout=WAIT)
    assert wizard.progress.status.text() == "Het certificaat is geïnstalleerd en teruggelezen."
    assert wizard.progress.bar.value() == wizard.progress.bar.maximum()
    assert not wizard.back_button.isEnabled() and wizard.next_button.isEnabled()

    # the certificate is really in the NSS database, with its key
    listing = user.certutil("-L").stdout
    assert f"ZorgCert {number}" in listing
    assert wizard.entry.fingerprint[:12] in listing

    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current == Page.BACKUP.value
    assert not wizard.next_button.isEnabled()  # make a backup or skip past the warning
    form = wizard.backup_form
    assert form.path.text().endswith(".zcbackup")
    form.path.setText(str(tmp_path / "anna.zcbackup"))
    qtbot.keyClicks(form.passphrase, "welkom123")
    assert not form.make.isEnabled() and form.meter.bar.value() < 4 and form.meter.verdict.text()
    form.passphrase.clear()
    qtbot.keyClicks(form.passphrase, STRONG)
    qtbot.keyClicks(form.confirmation, STRONG)
    assert form.make.isEnabled()
    qtbot.mouseClick(form.make, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.state.backup_made, timeout=WAIT)
    assert (tmp_path / "anna.zcbackup").is_file() and form.passphrase.text() == ""
    assert wizard.next_button.isEnabled()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current == Page.DONE.value
    done = wizard.done_page.notice.label.text()
    assert "Anna de Vries" in done and "geldig tot" in done
    from ui.common import fmt_date

    assert fmt_date(wizard.entry.not_after, "nl") in done
    rows = user.desktop.status()
    assert rows[0].state in ("valid", "renewal-open") and rows[0].backup_current
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)  # Klaar
    assert not wizard.isVisible()


def test_backup_is_skipped_only_past_the_warning(qtbot, user: User, tmp_path: Path) -> None:
    number, pin = user.new_holder("Bas Overslaan")
    wizard = _wizard(qtbot, user, tmp_path, user_number=number)
    wizard.show_page(Page.CREDENTIALS.value)
    assert wizard.credentials.number.text() == number  # prefilled (reinstall from a card)
    qtbot.keyClicks(wizard.credentials.pin, pin)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.state.installed, timeout=WAIT)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    page = wizard.backup
    assert not page.warning.isVisible()
    page.skip.setChecked(True)
    assert page.warning.isVisible() and "Zonder back-up" in page.warning.text()
    assert not wizard.next_button.isEnabled()  # the warning alone is not enough
    page.confirm.setChecked(True)
    assert wizard.next_button.isEnabled()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert "nog geen back-up" in wizard.done_page.backup_note.text()


def test_wrong_pin_shows_attempts_left_and_blocking_says_who(qtbot, user: User, tmp_path: Path) -> None:
    number, pin = user.new_holder("Cor Fout")
    wizard = _wizard(qtbot, user, tmp_path)
    wizard.show_page(Page.CREDENTIALS.value)
    wrong = "00000000" if pin != "00000000" else "11111111"
    _type_credentials(qtbot, wizard, number, wrong)
    qtbot.waitUntil(lambda: wizard.current == Page.CREDENTIALS.value and wizard.credentials.explanation.isVisible(),
                    timeout=WAIT)
    box = wizard.credentials.explanation
    assert box.message.text() == "Het gebruikersnummer of de pincode klopt niet."
    assert "nog 4 keer" in box.next_step.text()
    assert wizard.credentials.pin.text() == "" and wizard.credentials.number.text() == number
    assert QApplication.focusWidget() is wizard.credentials.pin
    assert user.certutil("-L").stdout.count("ZorgCert") == 0  # nothing half-done
    for left in (3, 2, 1):
        qtbot.keyClicks(wizard.credentials.pin, wrong)
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda left=left: f"nog {left} keer" in box.next_step.text(), timeout=WAIT)
    qtbot.keyClicks(wizard.credentials.pin, wrong)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.progress.explanation.isVisible(), timeout=WAIT)
    failure = wizard.progress.explanation
    assert "geblokkeerd" in failure.message.text()
    assert failure.next_step.text().startswith("De contactpersoon van uw praktijk kan de blokkade opheffen")
    offers = [b.objectName() for b in failure.findChildren(type(wizard.next_button))]
    assert "offer-support" in offers and "offer-retry" in offers
    assert wizard.back_button.isEnabled()  # back to the number and PIN


def test_cancel_before_enrollment_changes_nothing(qtbot, user: User, tmp_path: Path) -> None:
    number, pin = user.new_holder("Dirk Annuleer")
    wizard = _wizard(qtbot, user, tmp_path)
    wizard.show_page(Page.CREDENTIALS.value)
    _type_credentials(qtbot, wizard, number, pin)
    assert wizard.task is not None
    qtbot.mouseClick(wizard.cancel_button, Qt.MouseButton.LeftButton)  # right away: before the request goes out
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: wizard.task is None, timeout=WAIT)
    assert not wizard.state.installed
    assert user.desktop.status() == []
    assert not any(user.desktop.paths.journal_dir.glob("*.json"))  # rolled back, not left pending
    # and nothing reached the issuer: the same PIN still installs
    entry = user.desktop.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    assert entry.user_number == number


def test_cancel_after_the_request_went_out_finishes_in_the_background(qtbot, user: User,
                                                                      tmp_path: Path) -> None:
    number, pin = user.new_holder("Olga Achtergrond")
    wizard = _wizard(qtbot, user, tmp_path)
    wizard.show_page(Page.CREDENTIALS.value)
    installed: list[object] = []
    wizard.installed.connect(installed.append)
    _type_credentials(qtbot, wizard, number, pin)
    task = wizard.task
    assert task is not None
    qtbot.waitUntil(lambda: task.committed, timeout=WAIT)  # the enrollment request is on its way
    qtbot.mouseClick(wizard.cancel_button, Qt.MouseButton.LeftButton)
    assert not wizard.isVisible() and wizard.dismissed  # the window goes, the work does not
    qtbot.waitUntil(lambda: bool(installed), timeout=WAIT)
    (row,) = user.desktop.status()
    assert row.user_number == number and row.state != "lost"
    assert f"ZorgCert {number}" in user.certutil("-L").stdout


def test_dashboard_renews_and_then_shows_the_new_certificate(qtbot, user: User) -> None:
    number, pin = user.new_holder("Eva Vernieuw")
    old = user.desktop.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    window = MainWindow(user.desktop, "nl")
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.refreshed, timeout=WAIT):
        window.refresh()
    (card,) = window.dashboard.cards
    assert card.badge.text() == "vernieuwen mogelijk"
    assert card.fields["left"].text().startswith("nog 19 dagen geldig") or card.fields["left"].text().startswith(
        "nog 20 dagen geldig")
    assert card.buttons["renew"].isEnabled() and not card.buttons["reinstall"].isEnabled()
    assert card.fields["backup"].text() == "nog geen back-up — maak er nu een"
    qtbot.mouseClick(card.buttons["renew"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.dashboard.notice.isVisible(), timeout=WAIT)
    assert "is vernieuwd" in window.dashboard.notice.label.text()
    qtbot.waitUntil(lambda: window.rows and window.rows[0].fingerprint != old.fingerprint, timeout=WAIT)
    listing = user.certutil("-L").stdout
    assert window.rows[0].fingerprint[:12] in listing and old.fingerprint[:12] not in listing


def test_lost_certificate_offers_restore_and_support(qtbot, user: User, tmp_path: Path) -> None:
    number, pin = user.new_holder("Fien Verloren")
    user.desktop.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    backup = tmp_path / "fien.zcbackup"
    user.desktop.make_backup(number, backup, STRONG, progress=lambda _s: None)
    (row,) = user.desktop.status()
    subprocess_nick = row.installed_in[0].nickname
    assert user.certutil("-F", "-n", subprocess_nick).returncode == 0  # the profile was wiped

    window = MainWindow(user.desktop, "nl", choosers={"restore_file": lambda: str(backup)})
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.refreshed, timeout=WAIT):
        window.refresh()
    (card,) = window.dashboard.cards
    assert card.badge.text() == "verloren"
    enabled = {name for name, b in card.buttons.items() if b.isEnabled()}
    assert enabled == {"restore", "support"}
    assert "ontbreekt" in card.fields["where"].text()
    assert card.buttons["renew"].toolTip() == "Het certificaat ontbreekt op deze computer: zet eerst de back-up terug."

    # reinstalling with the PIN is refused with the way back (R7)
    wizard = window.open_install(user_number=number)
    wizard.show_page(Page.CREDENTIALS.value)
    qtbot.keyClicks(wizard.credentials.pin, pin)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.progress.explanation.isVisible(), timeout=WAIT)
    assert "nog geldig" in wizard.progress.explanation.message.text()
    assert "Support" in wizard.progress.explanation.next_step.text()
    restore_offer = wizard.progress.explanation.findChild(type(wizard.next_button), "offer-restore")
    qtbot.mouseClick(restore_offer, Qt.MouseButton.LeftButton)

    # the offer opened the restore wizard: choose the file, type the passphrase, restored
    qtbot.waitUntil(lambda: window.wizard is not None and window.wizard.objectName() == "backup-wizard",
                    timeout=WAIT)
    restore = window.wizard
    assert restore.state.mode == "restore"
    qtbot.mouseClick(restore.next_button, Qt.MouseButton.LeftButton)
    assert restore.current == "pick"
    qtbot.mouseClick(restore.pick.browse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: restore.state.picked, timeout=WAIT)
    assert "Fien Verloren" in restore.pick.about.text()
    qtbot.mouseClick(restore.next_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(restore.restore.passphrase, "niet de goede wachtwoordzin")
    qtbot.mouseClick(restore.restore.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: restore.restore.explanation.isVisible(), timeout=WAIT)
    assert not restore.state.restored
    qtbot.keyClicks(restore.restore.passphrase, STRONG)
    qtbot.mouseClick(restore.restore.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: restore.state.restored, timeout=WAIT)
    qtbot.mouseClick(restore.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(restore.next_button, Qt.MouseButton.LeftButton)  # Klaar
    qtbot.waitUntil(lambda: window.rows and window.rows[0].state != "lost", timeout=WAIT)
    assert window.dashboard.cards[0].badge.text() in ("geldig", "vernieuwen mogelijk")
    assert f"ZorgCert {number}" in user.certutil("-L").stdout


def test_backup_wizard_makes_a_backup_and_passes_the_restore_test(qtbot, user: User, tmp_path: Path) -> None:
    number, pin = user.new_holder("Gijs Back-up")
    user.desktop.install(number, pin, kind="personal", store="nss", progress=lambda _s: None)
    window = MainWindow(user.desktop, "nl", choosers={"backup_file": lambda _s: str(tmp_path / "gijs.zcbackup")})
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.refreshed, timeout=WAIT):
        window.refresh()
    qtbot.mouseClick(window.dashboard.cards[0].buttons["backup"], Qt.MouseButton.LeftButton)
    wizard = window.wizard
    assert wizard is not None and wizard.state.mode == "make" and wizard.state.user_number == number
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    form = wizard.form
    qtbot.mouseClick(form.browse, Qt.MouseButton.LeftButton)
    assert form.path.text() == str(tmp_path / "gijs.zcbackup")
    qtbot.keyClicks(form.passphrase, STRONG)
    qtbot.keyClicks(form.confirmation, STRONG + "x")
    assert not form.make.isEnabled()  # the two differ
    form.confirmation.clear()
    qtbot.keyClicks(form.confirmation, STRONG)
    qtbot.mouseClick(form.make, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.state.made, timeout=WAIT)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current == "test" and wizard.next_button.text() == "Test overslaan >"
    qtbot.keyClicks(wizard.test.passphrase, "verkeerd verkeerd verkeerd")
    qtbot.mouseClick(wizard.test.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.test.explanation.isVisible(), timeout=WAIT)
    assert not wizard.state.tested
    qtbot.keyClicks(wizard.test.passphrase, STRONG)
    qtbot.mouseClick(wizard.test.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.state.tested, timeout=WAIT)
    assert "Geslaagd" in wizard.test.result.label.text() and "Gijs Back-up" in wizard.test.result.label.text()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.rows and window.rows[0].backup_current, timeout=WAIT)
    assert window.dashboard.cards[0].fields["backup"].property("role") == ""


def test_support_page_checks_contact_person_and_support_file(qtbot, user: User, tmp_path: Path) -> None:
    number, pin = user.new_holder("Hanna Contact")
    org = user.issuer.organisation("Praktijk met contactpersoon")
    cp_number, cp_pin = user.issuer.user(org, name="Ineke Contactpersoon", contact_person=True)
    worker_number, worker_pin = user.issuer.user(org, name="Joost Medewerker")
    user.desktop.install(worker_number, worker_pin, kind="personal", store="nss", progress=lambda _s: None)
    del number, pin, cp_number, cp_pin
    target = tmp_path / "support.zip"
    window = MainWindow(user.desktop, "nl", choosers={"support_file": lambda _s: str(target)})
    qtbot.addWidget(window)
    window.show()
    page = window.support
    window.tabs.setCurrentWidget(page)
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.checks is not None, timeout=WAIT)
    rows = page.results.findChildren(CheckRow)
    assert rows and all(r.result in ("pass", "fail", "warn") for r in rows)
    assert any(r.result == "pass" for r in rows)
    assert page.summary.text() in ("Alles in orde.",) or "controles gaven een fout" in page.summary.text()

    qtbot.mouseClick(page.contact_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Ineke" in page.contact.text(), timeout=WAIT)
    assert page.contact.text() == ("De contactpersoon van Praktijk met contactpersoon is Ineke Contactpersoon "
                                   "(anna@example.nl).")

    qtbot.mouseClick(page.file_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.file_result.isVisible(), timeout=WAIT)
    assert str(target) in page.file_result.label.text()
    with zipfile.ZipFile(target) as zf:
        names = set(zf.namelist())
        body = b"".join(zf.read(n) for n in names)
    assert {"checks.json", "status.json", "stores.txt", "versions.txt"} <= names
    assert worker_pin.encode() not in body


def test_unreachable_issuer_is_explained(qtbot, user: User, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    lang = "nl"
    number, pin = user.new_holder(f"Kees Offline {lang}")
    monkeypatch.setenv("ZORGCERT_ISSUER_URL", "https://127.0.0.1:9")
    wizard = _wizard(qtbot, user, tmp_path, lang=lang)
    wizard.show_page(Page.CREDENTIALS.value)
    _type_credentials(qtbot, wizard, number, pin)
    qtbot.waitUntil(lambda: wizard.progress.explanation.isVisible(), timeout=WAIT)
    box = wizard.progress.explanation
    assert "niet bereikbaar" in box.message.text() and "internetverbinding" in box.next_step.text()
    assert box.findChild(type(wizard.next_button), "offer-doctor") is not None
