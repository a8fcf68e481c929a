"""Zorgroute's Telegram edge: settings, dispatcher, handlers, CLI."""
