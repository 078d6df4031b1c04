"""The dashboard: one card per certificate with a live countdown, its state and the actions the rules allow.

The widget only shows data: the rows of ``ZorgCert.status()`` and a ``now`` function.
Once a minute a coarse timer recomputes the countdowns and states from those rows
(``app.desk.certview``); it never asks the stores or the issuer itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.desk import certview
from app.i18n import t
from app.lifecycle.status import StatusRow
from ui.access import mark
from ui.common import (
    STATE_COLOURS,
    Badge,
    ExplanationBox,
    FlowLayout,
    FocusLabel,
    Notice,
    at_top,
    escape,
    fmt_date,
    fmt_datetime,
    icon,
    qt_enums,
    sized,
    title_label,
)

TICK_MS = 60_000  # the countdown is in days and hours: once a minute is plenty


class CertificateCard(QFrame):
    """One certificate."""

    action = Signal(str, object)  # action name, the StatusRow

    def __init__(self, row: StatusRow, lang: str, now: datetime):
        super().__init__()
        self.row = row
        self.lang = lang
        self.setObjectName("card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 14, 18, 14)
        top = QHBoxLayout()
        names = QVBoxLayout()
        self.holder = title_label(row.name or row.user_number, "holder")
        names.addWidget(self.holder)
        kind = t(f"kind.{row.kind or 'personal'}", lang)
        org = row.organisation
        self.kind = QLabel(f"{kind} · {org}" if org else kind)
        self.kind.setProperty("role", "subtitle")
        self.kind.setWordWrap(True)
        names.addWidget(self.kind)
        top.addLayout(names, 1)
        self.badge = Badge(row.state, lang)
        self.badge.setObjectName("state-badge")
        top.addLayout(at_top(self.badge))
        outer.addLayout(top)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setColumnStretch(1, 1)
        self.fields: dict[str, QLabel] = {}
        for i, name in enumerate(("number", "where", "until", "left", "backup")):
            label = QLabel(t(f"ui.card.{name}", lang))
            label.setProperty("role", "field")
            value = QLabel()
            value.setObjectName(f"card-{name}")
            value.setWordWrap(True)
            qt_enums(value, textInteractionFlags="TextSelectableByMouse")
            qt_enums(label, alignment="AlignLeft|AlignTop")
            label.setBuddy(value)
            grid.addWidget(label, i, 0)
            grid.addWidget(value, i, 1)
            self.fields[name] = value
        outer.addLayout(grid)
        self.fields["number"].setText(row.user_number)
        self.fields["where"].setText(self._where(row))
        qt_enums(self.fields["where"], textFormat="RichText")
        self.fields["until"].setText(fmt_datetime(row.valid_until, lang))
        self.fields["left"].setProperty("role", "countdown")
        sized(self.fields["left"], 1.1)

        buttons = FlowLayout()  # wraps under a large font instead of widening the card
        self.buttons: dict[str, QPushButton] = {}
        for name in certview.ACTIONS:
            button = QPushButton(t(f"ui.action.{name}", lang))
            button.setObjectName(f"action-{name}")
            button.clicked.connect(lambda _=False, n=name: self.action.emit(n, self.row))
            buttons.addWidget(button)
            self.buttons[name] = button
        outer.addLayout(buttons)
        # why a button is off, as text the keyboard reaches (Tab skips disabled buttons; a tooltip needs a mouse)
        self.why = FocusLabel("card-why")
        outer.addWidget(self.why)
        self.update_time(now, restyle=False)  # not shown yet: Qt styles it at its first show

    def _where(self, row: StatusRow) -> str:
        lines = []
        for ref in row.installed_in:
            key, params = certview.store_label(ref)
            mark = "✓" if ref.present else "✗ " + t("ui.card.missing", self.lang)
            lines.append(f"{escape(t(key, self.lang, **params))} {escape(mark)}")
        return "<br>".join(lines) or escape(t("ui.card.nowhere", self.lang))

    def update_time(self, now: datetime, *, restyle: bool = True) -> None:
        """Recompute state, countdown and allowed actions for ``now`` (no I/O).

        ``restyle`` polishes the backup line again, which a changed ``role`` needs once the
        card is on screen.
        """
        lang, row = self.lang, self.row
        state = certview.live_state(row, now)
        self.badge.set_state(state, lang)
        left = certview.countdown(row, now)
        self.fields["left"].setText(left.text(lang))
        self.fields["left"].setStyleSheet(f"color: {STATE_COLOURS[state]};")
        if row.last_backup:
            text = fmt_date(row.last_backup, lang)
            if certview.needs_backup(row):
                text += " — " + t("ui.card.backup_old", lang)
        else:
            text = t("ui.card.backup_none", lang)
        self.fields["backup"].setText(text)
        self.fields["backup"].setProperty("role", "warning" if certview.needs_backup(row) else "")
        if restyle:
            self.fields["backup"].style().polish(self.fields["backup"])
        reasons = []
        for name, allowed in certview.actions(row, now).items():
            button = self.buttons[name]
            button.setEnabled(allowed.enabled)
            why = "" if allowed.enabled else t(allowed.why_not, lang,
                                               opens_at=fmt_datetime((allowed.params or {}).get("opens_at"), lang))
            button.setToolTip(why)
            button.setAccessibleName(f"{button.text()} — {row.name or row.user_number}")
            button.setAccessibleDescription(why)
            # a button the rules do not allow is not shown at all when it can never apply in this state
            button.setVisible(allowed.enabled or name in ("renew", "backup"))
            if why and button.isVisibleTo(self):
                reasons.append(why)  # each reason names its action
        self.why.say("\n".join(reasons))
        self.setAccessibleName(t("ui.card.name", lang, name=row.name or row.user_number,
                                 state=self.badge.text()))


class Dashboard(QWidget):
    """All cards, a header with 'install' and 'restore', and a line for news and errors."""

    action = Signal(str, object)  # a card's action: its name and the StatusRow
    offer = Signal(str)  # what the explanation offers ("restore", "support", "doctor", "retry"): no certificate
    install_requested = Signal()
    restore_requested = Signal()
    refresh_requested = Signal()

    def __init__(self, lang: str, now: Callable[[], datetime]):
        super().__init__()
        self.lang = lang
        self.now = now
        self.rows: list[StatusRow] = []
        self.cards: list[CertificateCard] = []
        outer = QVBoxLayout(self)
        header = QHBoxLayout()
        header.addWidget(title_label(t("ui.dashboard.heading", lang)), 1)
        actions = FlowLayout()
        self.install_button = QPushButton(icon("zorgcert"), t("ui.dashboard.install", lang))
        self.install_button.setObjectName("dashboard-install")
        self.restore_button = QPushButton(t("ui.dashboard.restore", lang))
        self.restore_button.setObjectName("dashboard-restore")
        self.refresh_button = QPushButton(t("ui.dashboard.refresh", lang))
        self.refresh_button.setObjectName("dashboard-refresh")
        for button in (self.install_button, self.restore_button, self.refresh_button):
            button.setAccessibleName(button.text())
            actions.addWidget(button)
        header.addLayout(actions)
        outer.addLayout(header)
        self.notice = Notice("", "success")
        self.notice.setObjectName("dashboard-notice")
        self.notice.hide()
        outer.addWidget(self.notice)
        self.state_notice = Notice("", "notice")  # what ZorgCert did on its own: a damaged file set aside
        self.state_notice.setObjectName("dashboard-state-notice")
        self.state_notice.hide()
        outer.addWidget(self.state_notice)
        self.explanation = ExplanationBox(lang)
        self.explanation.setObjectName("explanation")
        self.explanation.action.connect(self.offer.emit)
        outer.addWidget(self.explanation)
        self.busy = FocusLabel("dashboard-busy", "")  # what runs (the cards wait for it), reachable with Tab
        mark(self.busy, "status")
        outer.addWidget(self.busy)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("dashboard-scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setAccessibleName(t("ui.dashboard.list", lang))
        # not a tab stop of its own (the cards' buttons are; it scrolls to them); never sideways: text wraps
        qt_enums(self.scroll_area, focusPolicy="NoFocus", horizontalScrollBarPolicy="ScrollBarAlwaysOff")
        self.list = QWidget()
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setSpacing(12)
        self.scroll_area.setWidget(self.list)
        outer.addWidget(self.scroll_area, 1)
        self.empty = QLabel(t("ui.dashboard.empty", lang))
        self.empty.setObjectName("dashboard-empty")
        self.empty.setWordWrap(True)
        qt_enums(self.empty, alignment="AlignCenter")
        self.install_button.clicked.connect(self.install_requested.emit)
        self.restore_button.clicked.connect(self.restore_requested.emit)
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        self.timer = QTimer(self)
        qt_enums(self.timer, timerType="VeryCoarseTimer")
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.set_rows([])

    def set_rows(self, rows: list[StatusRow]) -> None:
        """Show these certificates (replaces the cards)."""
        self.rows = rows
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        while self.list_layout.count():
            self.list_layout.takeAt(0)
        now = self.now()
        for row in rows:
            card = CertificateCard(row, self.lang, now)
            card.action.connect(self.action.emit)
            self.cards.append(card)
            self.list_layout.addWidget(card)
        if not rows:
            self.list_layout.addWidget(self.empty)
            self.empty.show()
        else:
            self.empty.hide()
        self.list_layout.addStretch(1)

    def tick(self) -> None:
        """Once a minute: countdowns and states move on with the clock."""
        now = self.now()
        for card in self.cards:
            card.update_time(now)

    def set_busy(self, text: str) -> None:
        self.busy.say(text, announce_it=True)

    def tell(self, text: str) -> None:
        self.explanation.clear()
        self.notice.set_text(text)
        self.notice.setVisible(bool(text))

    def show_notices(self, texts: list[str]) -> None:
        """What ZorgCert did on its own since the last look (a damaged file set aside, the wallet rebuilt)."""
        self.state_notice.set_text("\n\n".join(texts))
        self.state_notice.setVisible(bool(texts))

    def clear_banners(self) -> None:
        """Forget what an earlier action said (its news or its failure): another action starts, or it is over."""
        self.explanation.clear()
        self.notice.set_text("")
        self.notice.hide()
