"""Security headers on every Mini App response. Scripts come from our own origin only, plus Telegram's
telegram-web-app.js where Telegram requires it (in emulator mode the emulator's local stand-in is ours,
so no third-party script runs at all). No inline script or style, no framing except by Telegram's web
clients, no referrer to other sites, nothing cached."""

from __future__ import annotations

from aiohttp import web

TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"


def content_security_policy(*, telegram_script: bool) -> str:
    scripts = "'self' https://telegram.org" if telegram_script else "'self'"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            # Telegram Web (web.telegram.org) shows a Mini App in an iframe; nobody else may frame it.
            "frame-ancestors 'self' https://web.telegram.org",
        ]
    )


def secure(response: web.StreamResponse, *, telegram_script: bool) -> web.StreamResponse:
    response.headers["Content-Security-Policy"] = content_security_policy(telegram_script=telegram_script)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on our own form posts.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return response
