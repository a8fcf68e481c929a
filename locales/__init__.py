"""Gettext catalogs (domain `messages`); msgids are symbolic keys such as `start.welcome`."""

from __future__ import annotations

from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent
DOMAIN = "messages"
