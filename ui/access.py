"""What a screen reader gets beyond Qt's defaults: roles (heading, alert, status), hidden decoration, announcements.

Qt widgets have no ``setAccessibleRole``; a widget is given one with :func:`mark` (a dynamic
property), and the accessibility factory installed here hands out an interface with that role.
Announcements go through :func:`announce`: Qt's ``QAccessibleAnnouncementEvent`` (Qt 6.8+), which
AT-SPI and UI Automation pass on as a live-region notice, and every hook in ``listeners`` (tests).
Only ``QAccessible`` enums are used, never the ``Qt`` namespace: the dashboard is on the start path.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleInterface
from PySide6.QtWidgets import QAbstractButton, QAccessibleWidget, QLabel, QWidget

ROLE = "a11y-role"  # the dynamic property :func:`mark` sets
ROLES = {"heading": "Heading", "alert": "AlertMessage", "status": "Notification"}

# (widget, text, assertive): every announcement, for hooks (the tests record them here)
listeners: list[Callable[[QObject, str, bool], None]] = []

_TAGS = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """``text`` without rich-text tags and entities a screen reader would spell out."""
    return " ".join(_TAGS.sub(" ", text).replace("&nbsp;", " ").replace("&amp;", "&").split())


def mark(widget: QWidget, role: str) -> QWidget:
    """Give ``widget`` the accessible role ``role``: heading, alert, status, or decorative (hidden)."""
    if role not in ROLES and role != "decorative":
        raise ValueError(f"no accessible role {role!r}")
    install()
    widget.setProperty(ROLE, role)
    if QAccessible.isActive():  # an interface made before (a text change is reported) would keep Qt's role
        cached = QAccessible.queryAccessibleInterface(widget)
        if cached is not None and not isinstance(cached, _Marked):
            QAccessible.deleteAccessibleInterface(QAccessible.uniqueId(cached))
    return widget


def announce(widget: QObject, text: str, *, assertive: bool = False) -> None:
    """Have a screen reader say ``text`` now (politely, or at once for an error)."""
    text = plain(text)
    if not text:
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
    for hook in list(listeners):
        hook(widget, text, assertive)


class _Marked(QAccessibleWidget):
    """A widget with the role :func:`mark` gave it; a label's name is its text."""

    def __init__(self, widget: QWidget, role: str):
        super().__init__(widget, getattr(QAccessible.Role, ROLES.get(role, "Graphic")))
        self.decorative = role == "decorative"

    def text(self, kind: QAccessible.Text) -> str:
        widget = self.widget()
        if self.decorative:
            return ""
        if kind == QAccessible.Text.Name:
            if widget.accessibleName():
                return widget.accessibleName()
            if isinstance(widget, QLabel | QAbstractButton):
                return plain(widget.text())
        return super().text(kind)

    def state(self) -> QAccessible.State:
        state = super().state()
        if self.decorative:
            state.invisible = True
        return state


def _factory(_key: str, obj: QObject) -> QAccessibleInterface | None:
    if isinstance(obj, QWidget):
        role = obj.property(ROLE)
        if role:
            return _Marked(obj, str(role))
    return None


_installed: list[bool] = []


def install() -> None:
    """Hand out the marked roles (once per process, with the application made: a factory installed
    before the QApplication exists is not asked)."""
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed.append(True)


def role_of(widget: QWidget) -> QAccessible.Role | None:
    """The role a screen reader sees for ``widget`` (for tests and checks)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.role() if interface is not None else None
