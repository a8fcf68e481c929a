"""Translating message ids with parameters, at the edge, in one member's language."""

from __future__ import annotations

import html
import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from babel.dates import format_date, format_datetime

from flows.msgids import MSGID_PATTERN, Msg

log = logging.getLogger(__name__)


class Html(str):
    """Text this edge already rendered as Telegram HTML (escaped where it had to be): passed as a
    parameter, it is inserted as it is instead of escaped a second time."""

    __slots__ = ()


class Translator:
    """`t("engine.submitted", step=step.title, ref="Z-0001")` → text in `locale`: the one way the edge
    translates (each update gets one in its member's language as `t`, bot/i18n.py).

    The first argument is always a message id. A parameter that is a `Msg` is translated too (the engine
    passes step titles and option labels as ids); an `Html` fragment this edge rendered is inserted as it
    is; every other parameter is HTML-escaped and shown as it is, whatever it looks like: it may be
    something a member typed ("zie.verslag").
    """

    def __init__(self, i18n: I18n, locale: str, timezone: str = "Europe/Amsterdam") -> None:
        self.i18n, self.locale, self.tz = i18n, locale, ZoneInfo(timezone)

    def __call__(self, msgid: str, **params: Any) -> str:
        text = self.raw(msgid)
        if not params:
            return text
        return text.format(**{k: self.param(v) for k, v in params.items()})

    def raw(self, msgid: str) -> str:
        text = self.i18n.gettext(msgid, locale=self.locale)
        if text == msgid and MSGID_PATTERN.match(msgid):
            # A member would see the bare id: the catalogs lack it (see `make messages`).
            log.warning("no %s translation for %r", self.locale, msgid)
        return text

    def param(self, value: Any) -> str:
        """A value as the reader sees it: a `Msg` translated, a date formatted, anything else escaped."""
        if isinstance(value, Msg):
            return self.raw(value)
        if isinstance(value, Html):
            return str(value)
        if isinstance(value, datetime):
            return self.datetime(value)
        if isinstance(value, date):
            return self.date(value)
        return html.escape(str(value))

    def date(self, value: date | str) -> str:
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return format_date(value, format="long", locale=self.locale)

    def datetime(self, value: datetime) -> str:
        return format_datetime(value.astimezone(self.tz), format="d MMM y HH:mm", locale=self.locale)
