"""The message box (Berichtenbox, R2): messages without their PIN, and the PIN only on a deliberate reveal.

A PIN message's ``body`` here never holds the PIN: :func:`parse` masks it and hands the PIN back
separately, wrapped in :class:`Pin`, whose ``repr``/``str`` are masked too, so a PIN that ends up in a
log line, an exception or a traceback's locals shows as ``******``. Only ``Pin.reveal()`` gives the
digits, and the seam returns a ``Pin`` only from an explicit reveal call (``Desktop.reveal_pin``).
Copying is not offered by default; where the user does copy, the GUI clears the clipboard after
:data:`CLIPBOARD_CLEAR_SECONDS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MASK = "******"
CLIPBOARD_CLEAR_SECONDS = 30  # a copied PIN is wiped from the clipboard after this (GUI)
COPY_OFFERED_BY_DEFAULT = False  # the PIN view offers no copy button unless the user turns it on

# how the issuer's PIN message names the PIN when it sends no ``pin`` field: "... is: 1234AB\n"
_PIN_IN_TEXT = re.compile(r"(?P<lead>(?:pincode|PIN)\b[^:\n]{0,80}:\s*)(?P<pin>[^\s]{4,64})", re.IGNORECASE)


class Pin:
    """A PIN: ``reveal()`` gives it; everything else (repr, str, format, equality by text) shows a mask."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        """The PIN itself: to show on the user's deliberate click, or to type into the install form."""
        return self._value

    def __repr__(self) -> str:
        return f"Pin({MASK})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> Any:  # never pickled, never copied into a support file by accident
        raise TypeError("a PIN is not pickled")


@dataclass(frozen=True)
class Message:
    """One message of the box. For a PIN message ``body`` has the PIN masked and ``has_pin`` is True."""

    id: int
    subject: str
    created_at: datetime | None
    read: bool
    body: str
    has_pin: bool = False
    about_user_number: str | None = None  # a PIN message: whose PIN (when the issuer says)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": self.subject,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "read": self.read,
            "body": self.body,
            "has_pin": self.has_pin,
            "about_user_number": self.about_user_number,
        }


@dataclass(frozen=True)
class MessageBox:
    """The box as listed: newest first, with the unread count the tab shows."""

    messages: tuple[Message, ...] = field(default=())

    @property
    def unread(self) -> int:
        return sum(1 for m in self.messages if not m.read)

    def find(self, message_id: int) -> Message | None:
        return next((m for m in self.messages if m.id == message_id), None)


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse(raw: Mapping[str, Any]) -> tuple[Message, Pin | None]:
    """One issuer message (hostile: every field checked) as a :class:`Message` with the PIN masked, and the PIN.

    The PIN comes from the issuer's ``pin`` field (an opened PIN message); from an issuer that does not
    say a message's ``kind``, from the body's "... is: PIN". Every occurrence of it in subject and body is
    masked. A listed PIN message (``kind`` "pin", no ``pin``) has ``has_pin`` and no PIN.
    """
    raw_id = raw.get("id")
    if not isinstance(raw_id, int) or isinstance(raw_id, bool):
        raise ValueError("a message without a numeric id")
    subject = str(raw.get("subject") or "")
    body = str(raw.get("body") or "")
    kind = raw.get("kind")
    pin_text = raw.get("pin") if isinstance(raw.get("pin"), str) and raw.get("pin") else None
    if pin_text is None and kind is None:  # an issuer without message kinds: the PIN sits in the body's text
        found = _PIN_IN_TEXT.search(body)
        pin_text = found.group("pin") if found else None
    if pin_text:
        subject, body = subject.replace(pin_text, MASK), body.replace(pin_text, MASK)
    about = raw.get("about_user")
    message = Message(
        id=raw_id,
        subject=subject,
        created_at=_moment(raw.get("created_at")),
        read=raw.get("read") is True,
        body=body,
        has_pin=kind == "pin" or bool(pin_text),
        about_user_number=str(about) if isinstance(about, str) else None,
    )
    return message, (Pin(pin_text) if pin_text else None)
