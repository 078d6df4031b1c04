"""The Dutch words the issuer sends: the e-mail with the user number, the letter and the
message-box message with the PIN (R2: the two never travel together)."""

from __future__ import annotations

import re
from datetime import datetime


def kind_words(kind: str) -> str:
    """``personal`` / ``system`` as the letters and the portal say it."""
    return "persoonlijk certificaat" if kind == "personal" else "systeemcertificaat"


def user_number_mail(*, issuer_name: str, to_name: str, holder: str, user_number: str, kind: str) -> tuple[str, str]:
    """The e-mail with the user number of a new certificate (never with the PIN): (subject, body)."""
    soort = kind_words(kind)
    subject = f"Gebruikersnummer voor het {soort} van {holder}"
    body = (
        f"Beste {to_name},\n\n"
        f"Het {soort} voor {holder} is goedgekeurd.\n\n"
        f"Gebruikersnummer: {user_number}\n\n"
        "De pincode ontvangt u apart, per brief of in de Berichtenbox. Met het "
        "gebruikersnummer en de pincode installeert u het certificaat in ZorgCert.\n"
        "Installeer het certificaat binnen de installatietermijn; daarna vervalt het.\n\n"
        f"{issuer_name} vraagt u nooit om uw pincode of wachtwoord.\n"
    )
    return subject, body


def pin_letter(*, issuer_name: str, to_name: str, holder: str, pin: str, now: datetime, reason: str = "new") -> str:
    """The letter with the PIN (``reason`` ``new`` or ``reset``): the only paper a PIN is ever written on."""
    why = (
        "U heeft een nieuwe pincode aangevraagd."
        if reason == "reset"
        else "Hierbij ontvangt u de pincode voor een nieuw certificaat."
    )
    return (
        f"{issuer_name}\n\n"
        f"Aan: {to_name}\n"
        f"Datum: {now:%d-%m-%Y}\n\n"
        f"Betreft: pincode voor het certificaat van {holder}\n\n"
        f"{why}\n"
        "Het gebruikersnummer ontvangt u apart per e-mail.\n\n"
        f"Pincode: {pin}\n\n"
        "Bewaar deze brief op een veilige plaats. Geef de pincode aan niemand:\n"
        f"{issuer_name} vraagt nooit om uw pincode, ook niet per telefoon of e-mail.\n"
    )


def pin_message(*, holder: str, pin: str) -> tuple[str, str]:
    """The message-box message with the PIN for the contact person (user-management route): (subject, body)."""
    subject = f"Pincode voor het certificaat van {holder}"
    body = (
        f"De pincode voor het certificaat van {holder} is: {pin}\n"
        "Het gebruikersnummer is per e-mail verstuurd. Geef de pincode alleen aan de gebruiker zelf."
    )
    return subject, body


_PIN_LINE = re.compile(r"^(De pincode voor het certificaat van .* is: )(\d+)$", re.M)


def pin_in_message(body: str) -> str | None:
    """The PIN in a message made by :func:`pin_message`, else None."""
    match = _PIN_LINE.search(body)
    return match.group(2) if match else None


def without_pin(body: str) -> str:
    """A PIN message's body with the PIN hidden (the message-box list; the PIN only when opened)."""
    return _PIN_LINE.sub(lambda m: m.group(1) + "•" * len(m.group(2)), body)


def request_rejected_message(*, holder: str, kind: str, reason: str | None) -> tuple[str, str]:
    """The message-box message telling the contact person a request was rejected: (subject, body)."""
    soort = kind_words(kind)
    subject = f"Aanvraag afgewezen: {soort} voor {holder}"
    body = f"De aanvraag van een {soort} voor {holder} is afgewezen."
    if reason:
        body += f"\nReden: {reason}"
    body += "\nNeem contact op met Support als u vragen heeft, of dien een nieuwe aanvraag in."
    return subject, body
