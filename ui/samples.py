"""Made-up certificates in every state, shaped like ``ZorgCert.status()`` rows: for screenshots and page tests.

The dashboard only shows data, so feeding it these rows is how one screen per state is
rendered without waiting two years. Nothing here touches a store or the issuer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.lifecycle.status import Placement, StatusRow
from app.policy import make_user_number
from app.troubleshoot.doctor import Check

if TYPE_CHECKING:
    from app.practice.messages import MessageBox, Pin
    from app.practice.users import Desk


def row(now: datetime, *, name: str, state: str, days_left: float, body: str, kind: str = "personal",
        organisation: str = "Huisartsenpraktijk De Linde", backup_days_ago: float | None = 30,
        where: list[dict[str, Any]] | None = None) -> StatusRow:
    """One status row ``days_left`` days from expiry at ``now``."""
    end = now + timedelta(days=days_left)
    start = end - timedelta(days=730)
    installed = start
    last_backup = None if backup_days_ago is None else (now - timedelta(days=backup_days_ago))
    number = make_user_number(body)
    home = "/home/anna"
    stores = where or [{"store": "nss", "location": f"sql:{home}/.pki/nssdb",
                        "nickname": f"ZorgCert {number} 3f5e1a2b4c6d", "fingerprint": "3f" * 32,
                        "present": state != "lost"}]
    return StatusRow(
        user_number=number, kind=kind, name=name, organisation=organisation,
        subject=f"CN={name},O={organisation},C=NL", serial="5f3a9c", fingerprint=body.ljust(64, "a"),
        valid_from=start.isoformat(), valid_until=end.isoformat(), days_left=max(int(days_left), 0),
        state=state, renewal_opens=(end - timedelta(days=30)).isoformat(),
        installed_in=tuple(Placement(**s) for s in stores),
        installed_at=installed.isoformat(),
        last_backup=last_backup.isoformat() if last_backup else None,
        backup_current=last_backup is not None and last_backup >= installed,
    )


def every_state(now: datetime) -> dict[str, StatusRow]:
    """One row per state the dashboard knows."""
    return {
        "valid": row(now, name="Anna de Vries", state="valid", days_left=412.4, body="1234567890123"),
        "renewal-open": row(now, name="Bas Jansen", state="renewal-open", days_left=19.6, body="2234567890123"),
        "expired": row(now, name="Carla Smit", state="expired", days_left=-3, body="3234567890123",
                       backup_days_ago=None),
        "lost": row(now, name="Dirk Bakker", state="lost", days_left=201.2, body="4234567890123",
                    backup_days_ago=140),
        "revoked": row(now, name="HIS-koppeling", state="revoked", days_left=300, body="5234567890123",
                       kind="system", backup_days_ago=None,
                       where=[{"store": "file", "location": "/srv/his/zorgcert", "nickname": "ZorgCert",
                               "fingerprint": "5" * 64, "present": True}]),
    }


def checks(lang: str = "nl") -> list[Check]:
    """Doctor results of a machine whose clock is off and whose certificate went missing from Firefox."""
    from app.i18n import t

    return [Check(**c) for c in [
        {"check": t("doctor.issuer", lang), "result": "pass", "detail": "https://uitgever.example.nl", "next": ""},
        {"check": t("doctor.reachable", lang), "result": "pass", "detail": "https://uitgever.example.nl",
         "next": ""},
        {"check": t("doctor.trust", lang), "result": "pass", "detail": "issuer-ca.pem", "next": ""},
        {"check": t("doctor.clock", lang), "result": "fail", "detail": t("doctor.clock.detail", lang, seconds=734),
         "next": t("doctor.clock.next", lang)},
        {"check": t("doctor.store", lang, store="nss Chromium"), "result": "pass",
         "detail": "sql:/home/anna/.pki/nssdb", "next": ""},
        {"check": t("doctor.visible", lang, user_number="12345678901231", store="nss Firefox (default)"),
         "result": "fail", "detail": "sql:/home/anna/.mozilla/firefox/x1y2.default",
         "next": t("doctor.visible.next", lang)},
        {"check": t("doctor.keymatch", lang, user_number="12345678901231"), "result": "pass",
         "detail": "3f5e1a2b4c6d7e8f", "next": ""},
        {"check": t("doctor.pending", lang), "result": "pass", "detail": "", "next": ""},
    ]]


# --- the contact person's desk (issue 16): made-up users in every state and a message box with a PIN ---


def desk(now: datetime) -> Desk:
    """``Desktop.org_desk()`` as a contact person sees it: one user per state, the catalogue, Support."""
    from app.practice.users import Desk, Organisation, OrgUser, Service, SupportDesk, UserState, Viewer

    def user(body: str, name: str, state: UserState, kind: str = "personal", **kw: Any) -> OrgUser:
        email = kw.pop("email", name.split()[0].lower() + "@delinde.nl")
        return OrgUser(user_number=make_user_number(body), name=name, kind=kind, email=email, state=state, **kw)

    until = now + timedelta(days=412)
    users = (
        user("1234567890123", "Anna de Vries", UserState.INSTALLED, authorisations=("portal", "zorginkoopportaal"),
             is_contact_person=True, valid_until=until, certificate_state="valid"),
        user("6234567890123", "Bas Jansen", UserState.REQUESTED, request_id="41"),
        user("7234567890123", "Carla Smit", UserState.APPROVED, days_left=42, install_by=now + timedelta(days=42)),
        user("4234567890123", "Dirk Bakker", UserState.BLOCKED, blocked=True, authorisations=("portal",),
             valid_until=until, certificate_state="valid"),
        user("8234567890123", "Eva Mulder", UserState.RENEWAL_OPEN, authorisations=("portal",),
             valid_until=now + timedelta(days=19), certificate_state="renewal-open"),
        user("3234567890123", "Frank de Boer", UserState.EXPIRED, valid_until=now - timedelta(days=3),
             certificate_state="expired"),
        user("9234567890123", "HIS-koppeling", UserState.BLOCKED, kind="system", blocked=True, email="ict@delinde.nl",
             authorisations=("cov", "declaratie"), valid_until=until, certificate_state="valid"),
        user("5234567890123", "Oude koppeling", UserState.REVOKED, kind="system", email="ict@delinde.nl",
             valid_until=until, certificate_state="revoked"),
    )
    catalogue = (
        Service("portal", "Portaal (inloggen op de website)", "Portal (log in to the website)"),
        Service("cov", "Controle op verzekeringsrecht", "Insurance eligibility check", kinds=("system",)),
        Service("declaratie", "Declaratieverkeer", "Claims traffic", kinds=("system",)),
        Service("zorginkoopportaal", "Zorginkoopportaal", "Zorginkoopportaal", kinds=("personal",), own_form=True),
    )
    return Desk(viewer=Viewer(users[0].user_number, users[0].name, True),
                organisation=Organisation("Huisartsenpraktijk De Linde", agb="01234567", contact_name="Anna de Vries",
                                          contact_email="anna@delinde.nl", contact_user_number=users[0].user_number),
                users=users, catalogue=catalogue,
                support=SupportDesk(phone="088 123 45 67", email="support@uitgever.example.nl"), at=now)


def message_box(now: datetime) -> MessageBox:
    """``Desktop.message_box()``: a new PIN message (the PIN masked), a new notice, an old read one."""
    from app.practice.messages import MASK, Message, MessageBox

    carla = make_user_number("7234567890123")
    return MessageBox((
        Message(3, "Pincode voor Carla Smit", now - timedelta(hours=2), False,
                f"De pincode voor gebruiker {carla} (Carla Smit) is: {MASK}\nHet gebruikersnummer is per e-mail "
                "verstuurd naar Carla Smit.", has_pin=True, about_user_number=carla),
        Message(2, "Aanvraag ontvangen: Bas Jansen", now - timedelta(hours=5), False,
                "Uw aanvraag voor Bas Jansen is ontvangen en wacht op goedkeuring door Support."),
        Message(1, "Welkom bij de Berichtenbox", now - timedelta(days=30), True,
                "Hier ontvangt u als contactpersoon de pincodes van nieuwe certificaten."),
    ))


def pin() -> Pin:
    """The PIN ``Desktop.reveal_pin`` hands over for the sample PIN message."""
    from app.practice.messages import Pin

    return Pin("482913")
