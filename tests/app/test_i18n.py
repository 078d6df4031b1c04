"""Every user-facing sentence exists in Dutch and English with the same placeholders, in gettext catalogues.

The catalogues are resources/locale/{nl,en}/LC_MESSAGES/zorgcert.po (Dutch is the source);
the app reads the compiled .mo beside them. Here: both languages complete, the .mo and the
template up to date with the .po, every key the code uses present, plurals by count, and a key
without words loud (tests/conftest.py sets ZORGCERT_STRICT_WORDS).
"""

import gettext
import io
import os
import re
import string
import subprocess
import sys

import pytest
import words_harness as words
from babel.messages.mofile import write_mo

from app import errors, i18n

NL, EN = words.messages("nl"), words.messages("en")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_the_catalogues_are_dutch_and_english() -> None:
    assert words.languages() == sorted(i18n.LANGS)
    assert len(NL) > 500  # every sentence of the app, not a stub


@pytest.mark.parametrize("key", sorted(NL))
def test_both_languages_same_placeholders(key: str) -> None:
    assert key in EN, f"{key} has no English"
    assert all(NL[key]) and all(EN[key]), f"{key} is not translated"
    fields = {frozenset(_fields(text)) for text in NL[key] + EN[key]}
    assert len(fields) == 1, f"{key}: the placeholders differ between languages or forms: {fields}"


def test_english_has_nothing_dutch_has_not() -> None:
    assert not EN.keys() - NL.keys()


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
    assert i18n.t("state.expired", "de") == "verlopen"  # a language we do not have: Dutch
    assert i18n.t("refusal.renewal-not-open.next", "nl", opens_at="1 januari").endswith("herinnert u daaraan.")
    assert i18n.t("error.cancelled.next", "en") == ""  # says nothing on purpose ("-" in the catalogue)


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


def test_plurals_follow_the_count() -> None:
    """ngettext picks the form: 1 dag / 2 dagen, 0 and many plural; an unknown count (None) the plural."""
    assert [i18n.tn("unit.day", n, "nl", n=n) for n in (0, 1, 2)] == ["0 dagen", "1 dag", "2 dagen"]
    assert [i18n.tn("unit.day", n, "en", n=n) for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]
    assert i18n.tn("passphrase.crack.days", 1, "nl", n=1) == "ongeveer 1 dag"
    assert i18n.tn("passphrase.crack.minutes", 1, "en", n=1) == "about 1 minute"
    one = i18n.tn("refusal.pin-invalid.next", 1, "en", attempts_left=1)
    assert "You have 1 more try;" in one
    assert "You have ? more tries;" in i18n.tn("refusal.pin-invalid.next", None, "en", attempts_left="?")
    assert "U kunt het nog 1 keer proberen" in i18n.tn("refusal.pin-invalid.next", 1, "nl", attempts_left=1)


def test_the_countdown_and_the_crack_time_say_one_day_not_one_days() -> None:
    from datetime import UTC, datetime, timedelta

    from app.backups.passphrase import crack_time_words
    from app.desk.certview import countdown
    from app.lifecycle.status import StatusRow

    now = datetime(2027, 1, 1, tzinfo=UTC)
    row = StatusRow(user_number="12345678901234", kind="personal", name="Anna", organisation="", subject="",
                    serial="1", fingerprint="ab" * 32, valid_from=now.isoformat(),
                    valid_until=(now + timedelta(days=1, hours=3)).isoformat(), days_left=1, state="valid",
                    renewal_opens=now.isoformat(), installed_in=(), installed_at=now.isoformat(), last_backup=None,
                    backup_current=False)
    assert countdown(row, now).text("nl") == "nog 1 dag geldig"
    assert countdown(row, now).text("en") == i18n.t("ui.left.span", "en", span="1 day")
    assert crack_time_words(86400 * 1.2, "nl") == "ongeveer 1 dag"
    assert crack_time_words(3600, "en") == "about 1 hour"


def test_the_demo_says_durations_in_words() -> None:
    """The demo's sentence about its lifecycle has words, not PT10M (app/demo/practice.py passes them through
    duration)."""
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
    assert "ui.meter.crack_time" in NL
    for key, texts in NL.items():
        for text in texts:
            low = text.lower()
            assert "kraaktijd" not in low and "terugzettest" not in low, key
            plain = low.replace("wachtwoordzin", "").replace("wachtwoordkluis", "")
            if "wachtwoord" in plain:  # only the PFX password, or naming a (common, reused) password as such
                assert "pfx" in low or "wachtwoordzin" in low, key


# --- the .po is the one home; what the app reads is made from it ---


@pytest.mark.parametrize("lang", sorted(i18n.LANGS))
def test_the_compiled_catalogue_is_up_to_date(lang: str) -> None:
    """The committed .mo holds exactly what the .po says (else: scripts/words)."""
    fresh = io.BytesIO()
    write_mo(fresh, words.catalogue(lang))
    fresh.seek(0)
    with (words.LOCALE / lang / "LC_MESSAGES" / "zorgcert.mo").open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    assert shipped._catalog == gettext.GNUTranslations(fresh)._catalog, "run scripts/words"  # type: ignore[attr-defined]
    assert shipped.plural(1) == 0 and shipped.plural(2) == 1


def test_the_template_is_up_to_date() -> None:
    """resources/locale/zorgcert.pot (what a new language starts from) has every key of the Dutch source."""
    with (words.LOCALE / "zorgcert.pot").open("rb") as f:
        from babel.messages.pofile import read_po

        pot = read_po(f)
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in pot if m.id} == set(NL), "run scripts/words"
    assert {m.id[0] for m in pot if m.id and not isinstance(m.id, str)} == words.plural_keys()


def test_every_key_the_code_uses_has_words() -> None:
    """Every key passed to t/tn/has in app/ and ui/, and every key-shaped literal (error classes, verdicts), exists;
    every f-string key matches some key; a counted sentence is said with tn and only with tn."""
    keys, counted, patterns = words.used()
    missing = {k: v for k, v in keys.items() if k not in NL}
    assert not missing, missing
    literals = words.key_literals({k.split(".")[0] for k in NL})
    missing = {k: v for k, v in literals.items() if k not in NL and k not in words.plural_keys()}
    assert not missing, missing
    unmatched = {p: v for p, v in patterns.items() if not any(re.match(p, k) for k in NL)}
    assert not unmatched, unmatched
    plurals = words.plural_keys()
    assert not {k: v for k, v in counted.items() if k not in plurals}, "tn() on a sentence without a plural"
    said_plainly = {k: v for k, v in keys.items() if k in plurals and k not in counted}
    assert not said_plainly, f"t() on a sentence with a count: use tn() {said_plainly}"


def test_a_missing_key_is_loud_in_tests_and_quiet_for_users(monkeypatch: pytest.MonkeyPatch) -> None:
    assert os.environ.get(i18n.STRICT), "tests/conftest.py sets it"
    with pytest.raises(KeyError, match="no.such.key"):
        i18n.t("no.such.key", "nl")
    with pytest.raises(KeyError, match="tn"):
        i18n.t("unit.day", "nl", n=1)  # a sentence with a count, asked without one
    monkeypatch.delenv(i18n.STRICT)
    assert i18n.t("no.such.key", "nl") == "no.such.key"  # a user never gets a crash over a missing sentence
    assert i18n.t("unit.day", "en", n=3) == "3 days"  # nor a key: the plural form
    assert not i18n.has("no.such.key") and i18n.has("unit.day") and i18n.has("ui.window.title")
    assert not i18n.has("") and i18n.t("", "nl") == ""  # the header of a .po is not a sentence


def test_every_key_is_there_whatever_was_imported() -> None:
    """No catalogue loads as a side effect of an import: the keys app.desk.wizard and app.desk.certview return are found
    without ui/ (and without Qt), and loading the words costs one small file per language."""
    probe = ("import sys; from app.i18n import t, has; "
             "assert t('ui.number.typo', 'nl') != 'ui.number.typo' and has('ui.left.span') and has('desktop.no_qt'); "
             "assert t('error.support_file', 'en', path='p', details='d').startswith('The support file'); "
             "assert not [m for m in sys.modules if m.startswith(('ui', 'PySide6'))], sorted(sys.modules)")
    env = {**os.environ, "ZORGCERT_STRICT_WORDS": "1"}
    run = subprocess.run([sys.executable, "-c", probe], cwd=words.ROOT, capture_output=True, text=True, env=env,
                         timeout=60)
    assert run.returncode == 0, run.stderr


def test_every_language_ships_in_the_wheel_and_the_bundle() -> None:
    """A wheel installs the .mo files under <prefix>/share/zorgcert/locale (app.i18n.locale_dir looks there when
    resources/ is not beside the code); the PyInstaller spec takes all of resources/."""
    import tomllib

    data = tomllib.loads((words.ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    for lang in words.languages():
        assert data[f"share/zorgcert/locale/{lang}/LC_MESSAGES"] == [f"resources/locale/{lang}/LC_MESSAGES/zorgcert.mo"]
    spec = (words.ROOT / "packaging" / "zorgcert.spec").read_text()
    assert '(str(ROOT / "resources"), "resources")' in spec
