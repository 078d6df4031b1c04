"""The paper forms (app.practice.forms): what they say, read back from the PDF with pdftotext (poppler-utils)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.errors import UsageError
from app.practice import forms
from app.practice.forms import Applicant, make_form
from app.practice.users import Organisation

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ORG = Organisation(name="Fysiotherapie Het Anker", agb="01234567", kvk="12345678", address="Kade 3, 1011 AA Amsterdam",
                   contact_name="Carla Contact", contact_email="carla@example.nl", contact_user_number="10000000000009")


def text_of(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_request_form_is_pre_filled_and_has_the_checklist(tmp_path: Path) -> None:
    out = make_form("request", tmp_path / "a.pdf", lang="nl", organisation=ORG, now=NOW, send_to="030 123 45 67",
                    applicant=Applicant(name="Daan de Groot", email="daan@example.nl", kind="system",
                                        services=("cov",)))
    text = text_of(out)
    for expected in ("Aanvraagformulier certificaat", ORG.name, ORG.agb, ORG.kvk, ORG.address, ORG.contact_name,
                     ORG.contact_email, ORG.contact_user_number, "Daan de Groot", "daan@example.nl",
                     "[X] systeemcertificaat", "Autorisaties: cov", "Handtekening contactpersoon",
                     "geldig identiteitsbewijs", "030 123 45 67", "nooit een pincode"):
        assert expected in text, expected
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]  # written whole: no temporary file left


def test_a_blank_zorginkoopportaal_form_in_english(tmp_path: Path) -> None:
    text = text_of(make_form("zorginkoopportaal", tmp_path / "z.pdf", lang="en", organisation=None, applicant=None,
                             now=NOW))
    assert "Zorginkoopportaal authorisation form" in text and "[X] Zorginkoopportaal" in text
    assert "Organisation name: ____" in text and "User number: ____" in text  # lines to write on
    assert "issuer's website" in text  # no Support contact known: where to look


def test_names_beyond_latin_1_and_the_built_in_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    who = Applicant(name="Łukasz Ağaoğlu")
    if forms._font() == "ZorgCertSans":  # DejaVu Sans on this system (fonts-dejavu-core): full Unicode
        assert "Łukasz Ağaoğlu" in text_of(make_form("request", tmp_path / "u.pdf", lang="nl", organisation=ORG,
                                                     applicant=who, now=NOW))
    monkeypatch.setattr(forms, "_font", lambda: "Helvetica")  # no TrueType font found: Latin-1, all of Dutch
    text = text_of(make_form("request", tmp_path / "h.pdf", lang="nl", organisation=ORG,
                             applicant=Applicant(name="Zoë van Hoëk-IJzerman"), now=NOW))
    assert "Zoë van Hoëk-IJzerman" in text


def test_bad_input_is_refused() -> None:
    with pytest.raises(UsageError):
        Applicant(kind="robot")
    with pytest.raises(UsageError):
        forms.default_name("brief", NOW)
    assert forms.default_name("request", NOW) == "zorgcert-request-20260601.pdf"
