"""The Mini App (Telegram Web App): the case dossier and the member's lists as web pages, served by the
bot's own aiohttp server, so case content goes from our server to the member's phone and not through the
chat. One job per file: auth.py (initData and the session), headers.py (security headers), pages.py (the
HTML), routes.py (the handlers and where they are mounted). docs/webapp.md explains the design."""
