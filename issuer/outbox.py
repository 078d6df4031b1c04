"""R2: the two channels that never carry user number and PIN together.

The user number goes by e-mail (an RFC 5322 file in ``outbox/mail``), the PIN by letter
(a text file in ``outbox/post``, owner-only). A real deployment hands these folders to
a mail relay and a print service. The words are in :mod:`issuer.letters`.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from issuer import letters
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
        subject, body = letters.user_number_mail(
            issuer_name=self.issuer_name, to_name=to_name, holder=holder, user_number=user_number, kind=kind
        )
        msg = EmailMessage()
        msg["From"] = f"{self.issuer_name} <noreply@zorgcert.invalid>"
        msg["To"] = f"{to_name} <{to_email}>"
        msg["Subject"] = subject
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain="zorgcert.invalid")
        msg.set_content(body)
        path = self._name(now, user_number, ".eml", self.mail_dir)
        write_private(path, bytes(msg))
        return path

    def post_pin_letter(
        self, *, to_name: str, holder: str, user_number: str, pin: str, now: datetime, reason: str = "new"
    ) -> Path:
        """Write the PIN letter (owner-only): the only place a PIN is ever written."""
        text = letters.pin_letter(
            issuer_name=self.issuer_name, to_name=to_name, holder=holder, pin=pin, now=now, reason=reason
        )
        path = self._name(now, user_number, ".txt", self.post_dir)
        write_private(path, text.encode("utf-8"))
        return path
