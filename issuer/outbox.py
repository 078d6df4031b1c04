"""R2: the two channels that never carry user number and PIN together.

The user number goes by e-mail (an RFC 5322 file in ``outbox/mail``), the PIN by letter
(a text file in ``outbox/post``, owner-only). A real deployment hands these folders to
a mail relay and a print service.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from issuer.files import write_private


class Outbox:
    def __init__(self, mail_dir: Path, post_dir: Path, issuer_name: str):
        self.mail_dir = mail_dir
        self.post_dir = post_dir
        self.issuer_name = issuer_name

    def _name(self, now: datetime, user_number: str, suffix: str, folder: Path) -> Path:
        stem = f"{now:%Y%m%dT%H%M%S%f}-{user_number}"
        path = folder / f"{stem}{suffix}"
        n = 1
        while path.exists():
            n += 1
            path = folder / f"{stem}-{n}{suffix}"
        return path

    def mail_user_number(
        self, *, to_name: str, to_email: str, holder: str, user_number: str, kind: str, now: datetime
    ) -> Path:
        """E-mail the user number of a new certificate (never with the PIN)."""
        soort = "persoonlijk certificaat" if kind == "personal" else "systeemcertificaat"
        msg = EmailMessage()
        msg["From"] = f"{self.issuer_name} <noreply@zorgcert.invalid>"
        msg["To"] = f"{to_name} <{to_email}>"
        msg["Subject"] = f"Gebruikersnummer voor het {soort} van {holder}"
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain="zorgcert.invalid")
        msg.set_content(
            f"Beste {to_name},\n\n"
            f"Het {soort} voor {holder} is goedgekeurd.\n\n"
            f"Gebruikersnummer: {user_number}\n\n"
            "De pincode ontvangt u apart, per brief of in de Berichtenbox. Met het "
            "gebruikersnummer en de pincode installeert u het certificaat in ZorgCert.\n"
            "Installeer het certificaat binnen de installatietermijn; daarna vervalt het.\n\n"
            f"{self.issuer_name} vraagt u nooit om uw pincode of wachtwoord.\n"
        )
        path = self._name(now, user_number, ".eml", self.mail_dir)
        write_private(path, bytes(msg))
        return path

    def post_pin_letter(
        self, *, to_name: str, holder: str, user_number: str, pin: str, now: datetime, reason: str = "new"
    ) -> Path:
        """Write the PIN letter (owner-only): the only place a PIN is ever written."""
        why = (
            "U heeft een nieuwe pincode aangevraagd."
            if reason == "reset"
            else "Hierbij ontvangt u de pincode voor een nieuw certificaat."
        )
        text = (
            f"{self.issuer_name}\n\n"
            f"Aan: {to_name}\n"
            f"Datum: {now:%d-%m-%Y}\n\n"
            f"Betreft: pincode voor het certificaat van {holder}\n\n"
            f"{why}\n"
            "Het gebruikersnummer ontvangt u apart per e-mail.\n\n"
            f"Pincode: {pin}\n\n"
            "Bewaar deze brief op een veilige plaats. Geef de pincode aan niemand:\n"
            f"{self.issuer_name} vraagt nooit om uw pincode, ook niet per telefoon of e-mail.\n"
        )
        path = self._name(now, user_number, ".txt", self.post_dir)
        write_private(path, text.encode("utf-8"))
        return path
