"""Every user-facing sentence exists in Dutch and English with the same placeholders."""

import string

import pytest

from app import errors, i18n


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_both_languages_same_placeholders(key: str) -> None:
    entry = i18n.MESSAGES[key]
    assert set(entry) == {"nl", "en"}, key
    assert _fields(entry["nl"]) == _fields(entry["en"]), key


def test_every_error_and_refusal_has_a_message_and_next_step() -> None:
    keys = {
        cls.key
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.ZorgCertError) and isinstance(cls.key, str)
    }
    from app.policy import Refusal

    keys |= {f"refusal.{code.value}" for code in Refusal}
    for key in keys:
        assert i18n.has(key), key
        assert i18n.has(key + ".next"), key + ".next"


def test_dutch_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZORGCERT_LANG", raising=False)
    assert i18n.current_lang() == "nl"
    assert i18n.t("state.expired") == "verlopen"
    assert i18n.t("state.expired", "en") == "expired"
    assert i18n.t("refusal.renewal-not-open.next", "nl", opens_at="1 januari").endswith("herinnert u daaraan.")
