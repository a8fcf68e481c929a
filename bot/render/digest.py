"""The weekly VOT digest as its reader sees it: counts per section and the case references with pupil
labels, each case one press away. The payload carries nothing more, so neither does the text."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import CaseCb
from bot.i18n import N_
from bot.render.text import Translator

TITLES = {
    "new": N_("digest.new"),
    "consent": N_("digest.consent"),
    "overdue": N_("digest.overdue"),
    "evaluations": N_("digest.evaluations"),
}
BUTTONS = 8  # cases with a button; the rest is in /lijst and /agenda


def digest_text(t: Translator, payload: dict[str, Any], school_name: str) -> str:
    lines = [t("digest.title", school=school_name, week=payload["week"])]
    for key, title in TITLES.items():
        section = payload["sections"][key]
        lines.append("\n" + t(title, n=section["count"]))
        for item in section["cases"]:
            pupil = f" · {html.escape(item['pupil'])}" if item.get("pupil") else ""
            due = f" — {t.datetime(datetime.fromisoformat(item['due']))}" if item.get("due") else ""
            lines.append(f"• {item['ref']}{pupil}{due}")
        if section["count"] > len(section["cases"]):
            lines.append(t("digest.more", n=section["count"] - len(section["cases"])))
    return "\n".join(lines)


def digest_keyboard(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    refs = list(dict.fromkeys(i["ref"] for s in payload["sections"].values() for i in s["cases"]))
    if not refs:
        return None
    kb = InlineKeyboardBuilder()
    for ref in refs[:BUTTONS]:
        kb.button(text=ref, callback_data=CaseCb(ref=ref).pack())
    kb.adjust(4)
    return kb.as_markup()
