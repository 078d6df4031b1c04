"""Every string exists twice: each key the code names is in both catalogues, each error has its words.

The walls between the rooms (imports, Qt, file work) are tests/test_architecture.py."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import words_harness as words

from app import i18n
from app.errors import ZorgCertError
from app.explain import explain
from app.policy import Refusal

ROOT = Path(__file__).resolve().parents[2]
UI = sorted((ROOT / "ui").glob("*.py"))

def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_ui_key_used_in_the_code_exists_in_both_languages() -> None:
    """Every ui.* key the UI, app/desk/wizard.py and app/desk/certview.py name (and those they build) is in both
    catalogues, found without importing ui/ first (the catalogues are resources/locale/*/LC_MESSAGES/zorgcert.po)."""
    used: set[str] = set()
    for path in [*UI, ROOT / "app" / "desk" / "wizard.py", ROOT / "app" / "desk" / "certview.py"]:
        used |= set(re.findall(r'"(ui\.[a-z0-9_.]+[a-z0-9_])"', path.read_text()))
    dynamic = {f"ui.action.{a}" for a in ("renew", "reinstall", "backup", "restore", "support")}
    dynamic |= {f"ui.card.{f}" for f in ("number", "where", "until", "left", "backup")}
    dynamic |= {f"ui.kind.{k}{s}" for k in ("personal", "system") for s in ("", ".explain")}
    dynamic |= {f"ui.offer.{o}" for o in ("restore", "support", "doctor", "retry")}
    from app.desk.wizard import STAGES

    dynamic |= {f"ui.stage.{s}{x}" for s in STAGES for x in ("", ".busy")}
    missing = sorted(k for k in used | dynamic if not i18n.has(k))
    assert not missing, missing
    nl, en = words.messages("nl"), words.messages("en")
    assert {k for k in nl if k.startswith("ui.")} == {k for k in en if k.startswith("ui.")}
    for key in (k for k in nl if k.startswith("ui.")):
        assert all(nl[key]) and all(en[key]), key
        assert {frozenset(_fields(x)) for x in nl[key] + en[key]} == {frozenset(_fields(nl[key][0]))}, key


ISSUER_PARAMS = {"attempts_left": 3, "unblocked_by": "contact-person", "valid_until": "2027-06-30",
                 "opens_at": "2027-05-30"}


@pytest.mark.parametrize("code", [r.value for r in Refusal])
def test_every_refusal_has_its_own_dutch_explanation_and_next_step(code: str) -> None:
    from app.errors import IssuerRefused

    nl = explain(IssuerRefused(code, "detail from the issuer", **ISSUER_PARAMS), "nl")
    en = explain(IssuerRefused(code, "detail from the issuer", **ISSUER_PARAMS), "en")
    assert nl.code == code and nl.message and nl.next_step and nl.message != en.message
    assert not re.search(r"\{[a-z_]+\}", nl.message + nl.next_step), nl
    others = {explain(IssuerRefused(c.value, "x", **ISSUER_PARAMS), "nl").message for c in Refusal if c.value != code}
    assert nl.message not in others  # its own explanation, not a shared generic one


def _error_classes() -> list[type[ZorgCertError]]:
    from app import errors

    return [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, ZorgCertError)
            and isinstance(c.__dict__.get("key", c.key), str) and c is not ZorgCertError]


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_failure_on_this_side_has_words_in_both_languages(cls: type[ZorgCertError]) -> None:
    assert i18n.has(cls.key) and i18n.has(cls.key + ".next"), cls.key
    for lang in ("nl", "en"):
        assert i18n.t(cls.key, lang) not in ("", cls.key)


def test_blocked_says_who_can_unblock() -> None:
    from app.errors import IssuerRefused

    personal = explain(IssuerRefused("user-blocked", "x", unblocked_by="contact-person"), "nl")
    system = explain(IssuerRefused("user-blocked", "x", unblocked_by="support"), "nl")
    assert personal.next_step.startswith("De contactpersoon van uw praktijk kan de blokkade opheffen")
    assert system.next_step.startswith("Alleen Support kan de blokkade opheffen")
    window = explain(IssuerRefused("install-window-expired", "x"), "nl")
    assert "contactpersoon" in window.next_step and "nieuw certificaat" in window.next_step
