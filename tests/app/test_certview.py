"""What a card shows: live state as time passes, the countdown, and which actions the rules allow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.desk import certview
from app.lifecycle.status import Placement, StatusRow

END = datetime(2027, 6, 30, 12, 0, tzinfo=UTC)


def row(state: str = "valid") -> StatusRow:
    return StatusRow(user_number="12345678901234", kind="personal", name="Anna", organisation="", subject="",
                     serial="", fingerprint="f" * 64, valid_from=(END - timedelta(days=730)).isoformat(),
                     valid_until=END.isoformat(), days_left=0, state=state,
                     renewal_opens=(END - timedelta(days=30)).isoformat(), installed_in=(),
                     installed_at=(END - timedelta(days=730)).isoformat(), last_backup=None, backup_current=False)


def test_state_moves_with_the_clock_without_asking_the_stores() -> None:
    r = row()
    assert certview.live_state(r, END - timedelta(days=31)) == "valid"
    assert certview.live_state(r, END - timedelta(days=30)) == "renewal-open"
    assert certview.live_state(r, END) == "expired"
    assert certview.live_state(row("lost"), END - timedelta(days=40)) == "lost"
    assert certview.live_state(row("lost"), END) == "expired"  # a lost one that expired may be reinstalled (R6)
    assert certview.live_state(row("revoked"), END + timedelta(days=1)) == "revoked"


@pytest.mark.parametrize(
    ("left", "nl", "en"),
    [(timedelta(days=412, hours=5), "nog 412 dagen geldig", "412 days left"),
     (timedelta(days=2), "nog 2 dagen geldig", "2 days left"),
     (timedelta(days=1, hours=3), "nog 1 dag geldig", "1 day left"),
     # under a day: hours, not "nog 0 dagen geldig"; under an hour: minutes
     (timedelta(hours=5, minutes=59), "nog 5 uur geldig", "5 hours left"),
     (timedelta(hours=1, minutes=2), "nog 1 uur geldig", "1 hour left"),
     (timedelta(minutes=59), "nog 59 minuten geldig", "59 minutes left"),
     (timedelta(minutes=1, seconds=5), "nog 1 minuut geldig", "1 minute left"),
     (timedelta(seconds=20), "nog 1 minuut geldig", "1 minute left"),
     # expired: since when, not "verlopen; nog 0 dagen geldig"
     (timedelta(0), "zojuist verlopen", "expired just now"),
     (-timedelta(days=3, hours=2), "3 dagen geleden verlopen", "expired 3 days ago"),
     (-timedelta(days=1), "1 dag geleden verlopen", "expired 1 day ago"),
     (-timedelta(hours=2), "2 uur geleden verlopen", "expired 2 hours ago"),
     (-timedelta(minutes=1), "1 minuut geleden verlopen", "expired 1 minute ago")],
)
def test_countdown_in_words(left: timedelta, nl: str, en: str) -> None:
    c = certview.countdown(row(), END - left)
    assert (c.text("nl"), c.text("en")) == (nl, en)


def test_a_revoked_certificate_has_no_countdown() -> None:
    assert certview.countdown(row("revoked"), END - timedelta(days=100)).key == "ui.left.revoked"


@pytest.mark.parametrize(
    ("state", "at", "enabled"),
    [
        ("valid", END - timedelta(days=100), {"backup"}),
        ("valid", END - timedelta(days=10), {"renew", "backup"}),
        ("valid", END + timedelta(seconds=1), {"reinstall"}),
        ("lost", END - timedelta(days=100), {"restore", "support"}),
        ("revoked", END - timedelta(days=100), {"support"}),
    ],
)
def test_actions_only_when_the_rules_allow(state: str, at: datetime, enabled: set[str]) -> None:
    actions = certview.actions(row(state), at)
    assert {name for name, a in actions.items() if a.enabled} == enabled
    for name, a in actions.items():
        assert a.enabled or a.why_not.startswith("ui.why."), name


def test_renew_says_when_it_opens() -> None:
    renew = certview.actions(row(), END - timedelta(days=100))["renew"]
    assert renew.why_not == "ui.why.renew_not_open" and renew.params == {"opens_at": row().renewal_opens}


@pytest.mark.parametrize(
    ("ref", "key"),
    [({"store": "nss", "location": "sql:/home/a/.pki/nssdb"}, "ui.where.chromium"),
     ({"store": "nss", "location": "sql:/home/a/.mozilla/firefox/x.default"}, "ui.where.firefox"),
     ({"store": "nss", "location": "sql:/srv/db"}, "ui.where.nss"),
     ({"store": "file", "location": "/srv/his"}, "ui.where.folder"),
     ({"store": "windows", "location": "LocalMachine\\My"}, "ui.where.windows_machine"),
     ({"store": "windows", "location": "CurrentUser\\My"}, "ui.where.windows_user"),
     ({"store": "macos", "location": "login"}, "ui.where.macos")],
)
def test_store_labels(ref: dict[str, str], key: str) -> None:
    assert certview.store_label(Placement(**ref, nickname="ZorgCert", fingerprint="f" * 64, present=True))[0] == key
