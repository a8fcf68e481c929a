"""/meldingen: a member picks their channels (Telegram, e-mail, WhatsApp), their addresses and quiet hours.
Addresses are typed as the answer to a question (bot/states.Meldingen), checked, and shown back masked."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message

from bot.callbacks_prefs import AddressKind, AskAddressCb, ChannelCb, PrefsDoneCb, QuietCb
from bot.filters import PRIVATE, TEXT
from bot.i18n import N_
from bot.outbox.dispatcher import OutboxDispatcher
from bot.render.preferences import render_preferences
from bot.render.text import Translator
from bot.services.notify import TELEGRAM_ONLY
from bot.services.preferences import PreferenceService
from bot.states import Meldingen
from flows.clock import Clock
from storage.models import Member
from storage.repositories.preferences import Preferences
from storage.uow import UnitOfWork

_ASKING: dict[AddressKind, State] = {AddressKind.EMAIL: Meldingen.email, AddressKind.PHONE: Meldingen.phone}
_ASK = {AddressKind.EMAIL: N_("pref.ask_email"), AddressKind.PHONE: N_("pref.ask_phone")}
_BAD = {AddressKind.EMAIL: N_("pref.bad_email"), AddressKind.PHONE: N_("pref.bad_phone")}


def _available(outbox: OutboxDispatcher | None) -> frozenset[str]:
    return frozenset(outbox.channels) if outbox is not None else TELEGRAM_ONLY


async def _ask(message: Message, state: FSMContext, t: Translator, kind: AddressKind) -> None:
    await state.set_state(_ASKING[kind])
    await state.set_data({})
    await message.answer(t(_ASK[kind]))


async def _show(message: Message, t: Translator, prefs: Preferences, outbox: OutboxDispatcher | None) -> None:
    text, keyboard = render_preferences(t, prefs, _available(outbox))
    await message.edit_text(text, reply_markup=keyboard)


def build_router() -> Router:
    router = Router(name="preferences")
    router.message.filter(PRIVATE)

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

    @router.callback_query(ChannelCb.filter())
    async def channel(
        query: CallbackQuery,
        callback_data: ChannelCb,
        member: Member,
        uow: UnitOfWork,
        clock: Clock,
        outbox: OutboxDispatcher | None,
        state: FSMContext,
        t: Translator,
    ) -> None:
        await query.answer()
        if not isinstance(query.message, Message):
            return
        service = PreferenceService(uow, clock.now())
        if callback_data.channel in _available(outbox):
            _, ask = await service.toggle(member, callback_data.channel)
            if ask is not None:  # switching on a channel without an address asks for it first
                await _ask(query.message, state, t, AddressKind(ask))
                return
        await _show(query.message, t, await service.get(member), outbox)

    @router.callback_query(AskAddressCb.filter())
    async def ask_address(
        query: CallbackQuery, callback_data: AskAddressCb, state: FSMContext, t: Translator
    ) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await _ask(query.message, state, t, callback_data.kind)

    @router.callback_query(QuietCb.filter())
    async def quiet(
        query: CallbackQuery,
        member: Member,
        uow: UnitOfWork,
        clock: Clock,
        outbox: OutboxDispatcher | None,
        t: Translator,
    ) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await _show(
                query.message, t, await PreferenceService(uow, clock.now()).next_quiet(member), outbox
            )

    @router.callback_query(PrefsDoneCb.filter())
    async def done(query: CallbackQuery, t: Translator) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
            await query.message.answer(t("pref.saved"))

    @router.message(StateFilter(Meldingen.email, Meldingen.phone), TEXT)
    async def address(
        message: Message,
        member: Member,
        uow: UnitOfWork,
        clock: Clock,
        outbox: OutboxDispatcher | None,
        raw_state: str,
        state: FSMContext,
        t: Translator,
    ) -> None:
        service = PreferenceService(uow, clock.now())
        kind = AddressKind.EMAIL if raw_state == Meldingen.email.state else AddressKind.PHONE
        raw = message.text or ""
        prefs = await (
            service.set_email(member, raw) if kind is AddressKind.EMAIL else service.set_phone(member, raw)
        )
        if prefs is None:
            await message.answer(t(_BAD[kind]))
            return
        await state.clear()
        text, keyboard = render_preferences(t, prefs, _available(outbox))
        await message.answer(text, reply_markup=keyboard)

    return router
