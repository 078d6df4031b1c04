"""What a screen reader gets beyond Qt's defaults: roles (heading, alert, status), hidden decoration, announcements.

Qt widgets have no ``setAccessibleRole``; a widget is given one with :func:`mark` (a dynamic
property), and the accessibility factory :func:`install` puts in place hands out an interface
with that role. Announcements go through :func:`announce`: Qt's ``QAccessibleAnnouncementEvent``
(Qt 6.8+), which AT-SPI and UI Automation pass on as a live-region notice, and every hook in
``listeners`` (tests). ``QAccessible`` itself (PySide builds its enums, some 12 ms) is touched only
from :func:`install`, which the main window calls right after its first paint and a wizard at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QAccessible

ROLE = "a11y-role"  # the dynamic property :func:`mark` sets
ROLES = {"heading": "Heading", "alert": "AlertMessage", "status": "Notification", "decorative": "Graphic"}

# (widget, text, assertive): every announcement, for hooks (the tests record them here)
listeners: list[Callable[[QObject, str, bool], None]] = []

_TAGS = re.compile(r"<[^>]+>")
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'"}
_ENTITY = re.compile("|".join(_ENTITIES))
_installed: list[Any] = []  # the interface class, once the factory is in place


def plain(text: str) -> str:
    """``text`` without rich-text tags and entities a screen reader would spell out."""
    text = _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], _TAGS.sub(" ", text))
    return " ".join(text.split())


def mark(widget: QWidget, role: str) -> QWidget:
    """Give ``widget`` the accessible role ``role``: heading, alert, status, or decorative (hidden)."""
    if role not in ROLES:
        raise ValueError(f"no accessible role {role!r}")
    widget.setProperty(ROLE, role)
    if _installed:
        _forget(widget)
    return widget


def announce(widget: QObject, text: str, *, assertive: bool = False) -> None:
    """Have a screen reader say ``text`` now (politely, or at once for an error)."""
    text = plain(text)
    if not text:
        return
    if _installed:
        from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

        event = QAccessibleAnnouncementEvent(widget, text)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                            else QAccessible.AnnouncementPoliteness.Polite)
        QAccessible.updateAccessibility(event)
    for hook in list(listeners):
        hook(widget, text, assertive)


def installed() -> bool:
    return bool(_installed)


def install() -> None:
    """Hand out the marked roles from now on (once per process, with the application made: a factory
    installed before the QApplication exists is never asked). Interfaces a reader already holds for
    marked widgets are dropped, so the next question gets the role."""
    if _installed or QApplication.instance() is None:
        return
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import QAbstractButton, QAccessibleWidget, QLabel

    class Marked(QAccessibleWidget):
        """A widget with the role :func:`mark` gave it; a label's name is its text."""

        def __init__(self, widget: QWidget, role: str):
            super().__init__(widget, getattr(QAccessible.Role, ROLES[role]))
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

    def factory(_key: str, obj: QObject) -> QAccessibleWidget | None:
        if isinstance(obj, QWidget):
            role = obj.property(ROLE)
            if role in ROLES:
                return Marked(obj, str(role))
        return None

    QAccessible.installFactory(factory)
    _installed.append(Marked)
    for widget in QApplication.allWidgets():
        if widget.property(ROLE):
            _forget(widget)


def _forget(widget: QWidget) -> None:
    """Drop an interface Qt made for ``widget`` before its role was known (a text change is reported)."""
    from PySide6.QtGui import QAccessible

    if QAccessible.isActive():
        cached = QAccessible.queryAccessibleInterface(widget)
        if cached is not None and not isinstance(cached, _installed[0]):
            QAccessible.deleteAccessibleInterface(QAccessible.uniqueId(cached))


def role_of(widget: QWidget) -> QAccessible.Role | None:
    """The role a screen reader sees for ``widget`` (for tests and checks)."""
    from PySide6.QtGui import QAccessible

    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.role() if interface is not None else None
