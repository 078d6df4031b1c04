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


@pytest.mark.parametrize(
    ("iso", "nl", "en"),
    [("PT10M", "10 minuten", "10 minutes"), ("P2Y", "2 jaar", "2 years"), ("PT4M", "4 minuten", "4 minutes"),
     ("PT5M", "5 minuten", "5 minutes"), ("P1M", "1 maand", "1 month"), ("P60D", "60 dagen", "60 days"),
     ("P1D", "1 dag", "1 day"), ("P2D", "2 dagen", "2 days"), ("PT1H", "1 uur", "1 hour"),
     ("PT2H", "2 uur", "2 hours"), ("PT1M", "1 minuut", "1 minute"), ("PT24S", "24 seconden", "24 seconds"),
     ("P1Y2M", "1 jaar en 2 maanden", "1 year and 2 months"),
     ("P1DT2H30M", "1 dag, 2 uur en 30 minuten", "1 day, 2 hours and 30 minutes")],
)
def test_durations_in_words(iso: str, nl: str, en: str) -> None:
    assert (i18n.duration(iso, "nl"), i18n.duration(iso, "en")) == (nl, en)


def test_the_demo_says_durations_in_words() -> None:
    """The demo's sentence about its lifecycle has words, not PT10M (app/demo.py passes them through duration)."""
    from app.demo.practice import DURATIONS

    short = {k: i18n.duration(v, "nl") for k, v in DURATIONS["short"].items()}
    text = i18n.t("demo.durations.short", "nl", **short)
    assert "10 minuten" in text and "PT" not in text
    real = {k: i18n.duration(v, "en") for k, v in DURATIONS["real"].items()}
    assert "2 years" in i18n.t("demo.durations.real", "en", **real)
    import inspect

    from app.demo import supervisor

    assert "duration(v, lang)" in inspect.getsource(supervisor._run_locked)


def test_backup_secrets_are_wachtwoordzin_and_plain_dutch() -> None:
    """Backup passphrases are 'wachtwoordzin' everywhere; 'wachtwoord' only for the PFX export password; no jargon."""
    import ui.strings  # noqa: F401 - the app's own sentences register themselves

    dutch = {k: v["nl"] for k, v in i18n.MESSAGES.items()}
    assert "ui.meter.crack_time" in dutch
    for key, text in dutch.items():
        low = text.lower()
        assert "kraaktijd" not in low and "terugzettest" not in low, key
        plain = low.replace("wachtwoordzin", "").replace("wachtwoordkluis", "")
        if "wachtwoord" in plain:  # only the PFX password, or naming a (common, reused) password as such
            assert "pfx" in low or "wachtwoordzin" in low, key
