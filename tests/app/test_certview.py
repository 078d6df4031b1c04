"""What a card shows: live state as time passes, the countdown, and which actions the rules allow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app import certview

END = datetime(2027, 6, 30, 12, 0, tzinfo=UTC)


def row(state: str = "valid") -> dict[str, object]:
    return {"user_number": "12345678901234", "name": "Anna", "state": state, "valid_until": END.isoformat(),
            "renewal_opens": (END - timedelta(days=30)).isoformat(), "backup_current": False}


def test_state_moves_with_the_clock_without_asking_the_stores() -> None:
    r = row()
    assert certview.live_state(r, END - timedelta(days=31)) == "valid"
    assert certview.live_state(r, END - timedelta(days=30)) == "renewal-open"
    assert certview.live_state(r, END) == "expired"
    assert certview.live_state(row("lost"), END - timedelta(days=40)) == "lost"
    assert certview.live_state(row("lost"), END) == "expired"  # a lost one that expired may be reinstalled (R6)
    assert certview.live_state(row("revoked"), END + timedelta(days=1)) == "revoked"


@pytest.mark.parametrize(
    ("left", "key", "params"),
    [(timedelta(days=412, hours=5), "ui.left.days", {"days": 412}), (timedelta(days=2), "ui.left.days", {"days": 2}),
     (timedelta(days=1, hours=3), "ui.left.one_day", {}), (timedelta(hours=5, minutes=59), "ui.left.hours",
                                                           {"hours": 5}),
     (timedelta(minutes=59), "ui.left.under_hour", {}), (timedelta(0), "ui.left.expired", {}),
     (-timedelta(days=3), "ui.left.expired", {})],
)
def test_countdown(left: timedelta, key: str, params: dict[str, int]) -> None:
    c = certview.countdown(row(), END - left)
    assert (c.key, c.params) == (key, params)


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
    assert renew.why_not == "ui.why.renew_not_open" and renew.params == {"opens_at": row()["renewal_opens"]}


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
    assert certview.store_label(ref)[0] == key
