"""Typed button data for /meldingen: one class per action, channels and address kinds as enums."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class Channel(StrEnum):
    TELEGRAM = "telegram"
    EMAIL = "email"
    WHATSAPP = "whatsapp"


class AddressKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"  # for WhatsApp


class ChannelCb(CallbackData, prefix="mpc"):
    """Switch `channel` on or off."""

    channel: Channel


class AskAddressCb(CallbackData, prefix="mpa"):
    """Ask for an address of this kind (typed next)."""

    kind: AddressKind


class QuietCb(CallbackData, prefix="mpq"):
    """Move on to the next quiet-hours preset."""


class PrefsDoneCb(CallbackData, prefix="mpd"):
    """Close the settings."""
