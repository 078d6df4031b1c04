"""The paper forms (R1) as PDF: the request form and the Zorginkoopportaal authorisation form.

Pre-filled with the organisation's details (``/api/v1/me``) and, if given, the new user's; lines to
fill in by hand where a value is unknown; the contact person's signature lines; the checklist (a copy
of a valid ID, where to send it). Never a PIN or password (R13): the form says so.

PDF route: ReportLab (BSD licence, maintained since 2000, pure Python, no Qt), so ``zorgcert forms`` and
the GUI make the same file. Text is set in DejaVu Sans (full Unicode: ``ł``, ``ğ``, ``ß`` in a name)
where the system has it, else in the PDF's built-in Helvetica (Latin-1: all of Dutch). docs/practice.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import UsageError
from app.i18n import t
from app.practice import FORMS, KINDS
from app.practice.users import Organisation
from app.state.files import write_atomic

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts", "DejaVuSans.ttf"),
)
BLANK = "_" * 38  # a line to write on


@dataclass(frozen=True)
class Applicant:
    """The new user the form is for (every field may stay empty: the form then has lines to write on)."""

    name: str = ""
    email: str = ""
    kind: str = ""  # personal | system | ""
    user_number: str = ""  # the Zorginkoopportaal form: an existing user
    services: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind and self.kind not in KINDS:
            raise UsageError(f"kind must be one of {', '.join(KINDS)}")


def default_name(form: str, now: datetime) -> str:
    _check(form)
    return f"zorgcert-{form}-{now:%Y%m%d}.pdf"


def _check(form: str) -> None:
    if form not in FORMS:
        raise UsageError(f"unknown form {form!r}; known: {', '.join(FORMS)}")


def _font() -> str:
    """The font's name for ReportLab: DejaVu Sans registered from the system if found, else Helvetica."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "ZorgCertSans" in pdfmetrics.getRegisteredFontNames():
        return "ZorgCertSans"
    for candidate in FONT_CANDIDATES:
        if os.path.isfile(candidate):
            try:
                pdfmetrics.registerFont(TTFont("ZorgCertSans", candidate))
                return "ZorgCertSans"
            except Exception:  # noqa: BLE001 - a damaged font file: the built-in font does
                continue
    return "Helvetica"


def lines(form: str, lang: str, organisation: Organisation | None, applicant: Applicant | None,
          now: datetime, send_to: str = "") -> Iterator[tuple[str, str]]:
    """The form's content as (style, text): ``title``, ``head`` (a section), ``field``, ``text``, ``box``, ``sign``.

    Pure: the PDF writer below only lays these out (and the tests read them back with pdftotext).
    ``send_to``: how to reach the issuer's Support (``/api/v1/me`` ``support``), else the checklist says where to look.
    """
    _check(form)
    org = organisation or Organisation(name="")
    who = applicant or Applicant()

    def field(label: str, value: str) -> tuple[str, str]:
        return ("field", f"{t(label, lang)}: {value or BLANK}")

    yield ("title", t(f"form.{form}.title", lang))
    yield ("text", t(f"form.{form}.intro", lang))
    yield ("head", t("form.section.organisation", lang))
    yield field("form.org.name", org.name)
    yield field("form.org.agb", org.agb)
    yield field("form.org.kvk", org.kvk)
    yield field("form.org.address", org.address)
    yield field("form.org.contact", org.contact_name)
    yield field("form.org.contact_email", org.contact_email)
    yield field("form.org.contact_number", org.contact_user_number)
    yield ("head", t("form.section.user", lang))
    yield field("form.user.name", who.name)
    yield field("form.user.email", who.email)
    if form == "request":
        kinds = "   ".join(("[X] " if who.kind == k else "[  ] ") + t(f"kind.{k}", lang) for k in KINDS)
        yield ("field", f"{t('form.user.kind', lang)}: {kinds}")
        yield field("form.user.services", ", ".join(who.services))
    else:
        yield field("form.user.number", who.user_number)
        yield ("field", f"{t('form.zip.service', lang)}: [X] Zorginkoopportaal")
        yield ("field", f"{t('form.zip.rights', lang)}: [  ] {t('form.zip.view', lang)}   "
                        f"[  ] {t('form.zip.submit', lang)}")
        yield field("form.zip.start", "")
    yield ("head", t("form.section.signature", lang))
    yield ("text", t("form.sign.declaration", lang))
    yield field("form.sign.name", org.contact_name)
    yield field("form.sign.place_date", "")
    yield ("sign", t("form.sign.signature", lang))
    yield ("head", t("form.section.checklist", lang))
    yield ("box", t("form.check.complete", lang))
    yield ("box", t("form.check.signed", lang))
    yield ("box", t("form.check.id", lang))
    yield ("box", t("form.check.send_to", lang, support=send_to) if send_to else t("form.check.send", lang))
    yield ("text", t("form.never_pin", lang))
    yield ("small", t("form.made", lang, when=f"{now:%Y-%m-%d}"))


def render(form: str, lang: str, organisation: Organisation | None, applicant: Applicant | None,
           now: datetime, send_to: str = "") -> bytes:
    """The form as PDF bytes (A4)."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    font = _font()
    out = BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle(t(f"form.{form}.title", lang))
    pdf.setAuthor("ZorgCert")
    width, height = A4
    left, right, top, bottom = 20 * mm, width - 20 * mm, height - 20 * mm, 20 * mm
    y = top
    sizes = {"title": 16, "head": 12, "small": 8}
    for style, text in lines(form, lang, organisation, applicant, now, send_to):
        size = sizes.get(style, 10)
        gap = {"title": 10 * mm, "head": 5 * mm, "sign": 12 * mm}.get(style, 6 * mm)
        if style == "box":
            text = "[  ] " + text
        wrapped = simpleSplit(text, font, size, right - left)
        if y - gap - len(wrapped) * size * 1.3 < bottom:
            pdf.showPage()
            y = top
        y -= gap if style in ("head", "sign") else 0
        if style == "sign":
            pdf.line(left, y, left + 80 * mm, y)
            y -= size * 1.3
        pdf.setFont(font, size)
        for line in wrapped:
            pdf.drawString(left, y, line)
            y -= size * 1.4
        y -= 1.5 * mm if style != "title" else 3 * mm
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_form(form: str, out: Path, *, lang: str, organisation: Organisation | None, applicant: Applicant | None,
              now: datetime, send_to: str = "") -> Path:
    """Write the form to ``out`` (whole or not at all); ``out``."""
    data = render(form, lang, organisation, applicant, now, send_to)
    write_atomic(out, data)
    return out
