"""/meldingen: a member picks their channels (Telegram, e-mail, WhatsApp), their addresses and quiet hours.
Addresses are typed as the answer to a question (a conversation), checked, and shown back masked."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.callbacks import PrefCb
from bot.conversation import Conversation, InConversation, clear_conversation, set_conversation
from bot.i18n import N_
from bot.outbox.dispatcher import OutboxDispatcher
from bot.render.preferences import render_preferences
from bot.render.text import Translator
from bot.services.notify import TELEGRAM_ONLY
from bot.services.preferences import PreferenceService
from flows.clock import Clock
from storage.models import Member
from storage.uow import UnitOfWork

CONVERSATION = "meldingen"
_ASK = {"email": N_("pref.ask_email"), "phone": N_("pref.ask_phone")}
_BAD = {"email": N_("pref.bad_email"), "phone": N_("pref.bad_phone")}


def _available(outbox: OutboxDispatcher | None) -> frozenset[str]:
    return frozenset(outbox.channels) if outbox is not None else TELEGRAM_ONLY


def build_router() -> Router:
    router = Router(name="preferences")
    router.message.filter(F.chat.type == "private")

    @router.message(Command("meldingen", "notifications"))
    async def show(
        message: Message,
        member: Member,
        uow: UnitOfWork,
        clock: Clock,
        outbox: OutboxDispatcher | None,
        t: Translator,
    ) -> None:
        prefs = await PreferenceService(uow, clock.now()).get(member)
        text, keyboard = render_preferences(t, prefs, _available(outbox))
        await message.answer(text, reply_markup=keyboard)

    @router.callback_query(PrefCb.filter())
    async def press(
        query: CallbackQuery,
        callback_data: PrefCb,
        member: Member,
        uow: UnitOfWork,
        clock: Clock,
        outbox: OutboxDispatcher | None,
        t: Translator,
    ) -> None:
        await query.answer()
        if not isinstance(query.message, Message):
            return
        service, available = PreferenceService(uow, clock.now()), _available(outbox)
        ask: str | None = None
        if callback_data.op == "done":
            await query.message.edit_reply_markup(reply_markup=None)
            await query.message.answer(t("pref.saved"))
            return
        if callback_data.op == "ch" and callback_data.v in available:
            _, ask = await service.toggle(member, callback_data.v)
        elif callback_data.op in _ASK:
            ask = callback_data.op
        elif callback_data.op == "quiet":
            await service.next_quiet(member)
        if ask is not None:
            set_conversation(member, Conversation(CONVERSATION, ask))
            await query.message.answer(t(_ASK[ask]))
            return
        text, keyboard = render_preferences(t, await service.get(member), available)
        await query.message.edit_text(text, reply_markup=keyboard)

    @router.message(InConversation(CONVERSATION), F.text)
    async def address(
        message: Message,
        member: Member,
        uow: UnitOfWork,
        clock: Clock,
        outbox: OutboxDispatcher | None,
        t: Translator,
    ) -> None:
        service = PreferenceService(uow, clock.now())
        asked = (member.conversation or {}).get("step")
        raw = message.text or ""
        prefs = await (service.set_email(member, raw) if asked == "email" else service.set_phone(member, raw))
        if prefs is None:
            problem = _BAD["email"] if asked == "email" else _BAD["phone"]
            await message.answer(t(problem))
            return
        clear_conversation(member)
        text, keyboard = render_preferences(t, prefs, _available(outbox))
        await message.answer(text, reply_markup=keyboard)

    return router
