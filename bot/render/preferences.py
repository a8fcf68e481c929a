"""/meldingen as the member sees it: their channels, addresses (masked) and quiet hours, with buttons."""

from __future__ import annotations

import html
from collections.abc import Collection
from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks_prefs import AddressKind, AskAddressCb, Channel, ChannelCb, PrefsDoneCb, QuietCb
from bot.i18n import N_
from bot.render.form import TICKED, UNTICKED
from bot.render.text import Translator
from storage.repositories.preferences import DEFAULT_QUIET_END, DEFAULT_QUIET_START, Preferences

CHANNEL_LABELS = {
    "telegram": N_("pref.channel.telegram"),
    "email": N_("pref.channel.email"),
    "whatsapp": N_("pref.channel.whatsapp"),
}


@dataclass(frozen=True)
class QuietPreset:
    id: str
    label: str  # msgid
    start: int | None
    end: int | None
    weekends: bool


QUIET_PRESETS = (
    QuietPreset("std", N_("pref.quiet.std"), DEFAULT_QUIET_START, DEFAULT_QUIET_END, True),
    QuietPreset("late", N_("pref.quiet.late"), 20 * 60, 7 * 60, True),
    QuietPreset("week", N_("pref.quiet.week"), DEFAULT_QUIET_START, DEFAULT_QUIET_END, False),
    QuietPreset("off", N_("pref.quiet.off"), None, None, False),
)


def preset_of(prefs: Preferences) -> QuietPreset:
    for preset in QUIET_PRESETS:
        if (preset.start, preset.end, preset.weekends) == (
            prefs.quiet_start,
            prefs.quiet_end,
            prefs.quiet_weekends,
        ):
            return preset
    return QUIET_PRESETS[0]


def next_preset(prefs: Preferences) -> QuietPreset:
    index = QUIET_PRESETS.index(preset_of(prefs))
    return QUIET_PRESETS[(index + 1) % len(QUIET_PRESETS)]


def mask_email(address: str) -> str:
    """Shown back in the chat: enough to recognise, not the whole address on a shared screen."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


def mask_phone(number: str) -> str:
    return f"{number[:3]}…{number[-2:]}"


def render_preferences(
    t: Translator, prefs: Preferences, available: Collection[str]
) -> tuple[str, InlineKeyboardMarkup]:
    none = t("pref.none")
    chosen = [c for c in prefs.channels if c in available] or ["telegram"]
    text = t(
        "pref.title",
        channels=", ".join(t(CHANNEL_LABELS[c]) for c in chosen),
        email=html.escape(mask_email(prefs.email)) if prefs.email else none,
        phone=html.escape(mask_phone(prefs.whatsapp)) if prefs.whatsapp else none,
        quiet=t(preset_of(prefs).label),
    )
    rows: list[list[InlineKeyboardButton]] = []
    for channel in ("telegram", "email", "whatsapp"):
        if channel not in available:
            continue  # a channel without settings is not offered
        mark = TICKED if channel in chosen else UNTICKED
        rows.append(
            [
                InlineKeyboardButton(
                    text=f"{mark} {t(CHANNEL_LABELS[channel])}",
                    callback_data=ChannelCb(channel=Channel(channel)).pack(),
                )
            ]
        )
    if "email" in available:
        rows.append(
            [
                InlineKeyboardButton(
                    text=t("pref.set_email"), callback_data=AskAddressCb(kind=AddressKind.EMAIL).pack()
                )
            ]
        )
    if "whatsapp" in available:
        rows.append(
            [
                InlineKeyboardButton(
                    text=t("pref.set_phone"), callback_data=AskAddressCb(kind=AddressKind.PHONE).pack()
                )
            ]
        )
    rows.append([InlineKeyboardButton(text=t("pref.quiet_button"), callback_data=QuietCb().pack())])
    rows.append([InlineKeyboardButton(text=t("pref.done"), callback_data=PrefsDoneCb().pack())])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)
