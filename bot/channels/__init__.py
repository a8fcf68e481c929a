"""Leaf adapters that deliver already-rendered notifications (e-mail, WhatsApp, meeting invites).

They take plain data, return a provider message id and raise the typed errors in
``bot.channels.errors``; deciding *whether* and *when* to send belongs to the outbox dispatcher.
"""
