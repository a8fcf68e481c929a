"""Everything the emulated Telegram knows, and the in-process API tests use to play the users.

Pure Python and asyncio only: the HTTP server and the Bot API methods are thin layers over this.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from emulator.clock import ClockHandler, ClockNotWired, ClockReader, HeldReader, parse_step
from emulator.faults import FaultInjector, FaultPlan, Stats
from emulator.history import ChatLog
from emulator.mini_app import MiniAppDoor
from emulator.models import (
    Button,
    CallbackAnswer,
    ChatMessage,
    ExternalDelivery,
    Person,
    UploadedFile,
    WebhookConfig,
)
from emulator.updates import UpdateQueue
from emulator.wire import (
    BOT_USER,
    chat_json,
    command_entities,
    message_json,
    message_view,
    user_json,
)

_SUBSCRIBER_BACKLOG = 1000
_DEFAULT_SCOPE: dict[str, Any] = {"type": "default"}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def scope_key(scope: dict[str, Any] | None) -> str:
    return json.dumps(scope or _DEFAULT_SCOPE, sort_keys=True)


class EmulatorState:
    def __init__(
        self,
        *,
        now: Callable[[], datetime] = _utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._now = now
        self.bot_user: dict[str, Any] = dict(BOT_USER)
        self.faults = FaultInjector(monotonic)
        self.counters = Stats()
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self.updates = UpdateQueue()
        # Wiring from the bot runner, not conversation state: reset() keeps these.
        self._roster: list[Person] = []
        self._clock_handler: ClockHandler | None = None
        self._clock_reader: ClockReader | None = None
        self._held_reader: HeldReader | None = None
        self.mini_app = MiniAppDoor()  # the runner sets .handler to the bot's Mini App
        self.reset()

    def reset(self) -> None:
        """Forget users, chats, updates, answers, commands, files, webhook, faults and counters."""
        self.updates.drop_all()  # wakes anyone waiting, so nobody waits on forgotten updates
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, ChatLog] = {}
        # query id -> (chat id, the answer record to fill in once the bot answers)
        self._open_queries: dict[str, tuple[int, CallbackAnswer]] = {}
        self._answers: dict[int, list[CallbackAnswer]] = {}
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._files: dict[str, UploadedFile] = {}
        self._external: list[ExternalDelivery] = []
        self._serial = 0
        self.webhook: WebhookConfig | None = None
        self.faults.install(FaultPlan())
        self.counters = Stats()
        self._open_roster_chats()
        self._publish({"type": "reset"})

    # -- users act -------------------------------------------------------------------
    def user_sends(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "User",
        username: str | None = None,
        language_code: str | None = "nl",
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> dict[str, Any]:
        user = self._meet_user(user_id, first_name, username, language_code)
        log = self._chat_for(chat_id if chat_id is not None else user_id, chat_type, user)
        msg = log.append(
            ChatMessage(
                log.take_message_id(),
                from_bot=False,
                text=text,
                date=self._now(),
                chat_id=log.chat_id,
                sender_id=user_id,
                entities=command_entities(text),
            )
        )
        self._publish_message("message", msg)
        return self._queue("message", self.message_json(log.chat_id, msg))

    def user_presses(
        self,
        user_id: int,
        *,
        message_id: int | None = None,
        data: str | None = None,
        button_text: str | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        if (data is None) == (button_text is None):
            raise ValueError("give exactly one of data= or button_text=")
        log = self._existing_chat(chat_id if chat_id is not None else user_id)
        if button_text is not None:
            msg, data = log.find_button(button_text, message_id)
        else:
            msg = log.target_message(message_id)
        user = self._users.get(user_id) or self._meet_user(user_id, "User", None, "nl")
        self._serial += 1
        query_id = str(4_000_000_000 + self._serial)
        self._open_queries[query_id] = (
            log.chat_id,
            CallbackAnswer(query_id, user_id, msg.message_id, text=None, show_alert=False),
        )
        query = {
            "id": query_id,
            "from": user,
            "message": self.message_json(log.chat_id, msg),
            "chat_instance": str(log.chat_id),
            "data": data,
        }
        return self._queue("callback_query", query, chat_id=log.chat_id)

    def user_edits(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        log = self._existing_chat(chat_id if chat_id is not None else user_id)
        old = log.get(message_id)
        if old is None or old.from_bot or old.sender_id != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {log.chat_id}")
        msg = replace(
            old,
            text=text,
            edits=old.edits + 1,
            edit_date=self._now(),
            entities=command_entities(text),
        )
        log.replace(msg)
        self._publish_message("edit", msg)
        return self._queue("edited_message", self.message_json(log.chat_id, msg))

    def channel_post(self, chat_id: int, text: str) -> dict[str, Any]:
        log = self._chat_for(chat_id, "channel", None)
        msg = log.append(ChatMessage(log.take_message_id(), False, text, date=self._now(), chat_id=chat_id))
        self._publish_message("message", msg)
        return self._queue("channel_post", self.message_json(chat_id, msg))

    # -- tests read ------------------------------------------------------------------
    def chats(self) -> list[dict[str, Any]]:
        return [dict(log.chat) for log in self._chats.values()]

    def messages(self, chat_id: int) -> list[ChatMessage]:
        log = self._chats.get(chat_id)
        return [m.copy() for m in log.messages] if log else []

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.messages(chat_id) if m.from_bot]

    def last_bot_message(self, chat_id: int) -> ChatMessage:
        sent = self.bot_messages(chat_id)
        if not sent:
            raise LookupError(f"the bot has sent nothing to chat {chat_id}")
        return sent[-1]

    def callback_answers(self, chat_id: int) -> list[CallbackAnswer]:
        return list(self._answers.get(chat_id, []))

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, str]]:
        return [dict(c) for c in self._commands.get((scope_key(scope), language_code), [])]

    def files(self) -> list[UploadedFile]:
        return list(self._files.values())

    async def wait_consumed(self, update_id: int, timeout: float = 10) -> None:
        """Return once the bot confirmed the update (offset past it, or webhook answered 2xx)."""
        await self.updates.wait_consumed(update_id, timeout)

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        q: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_SUBSCRIBER_BACKLOG)
        self._subscribers.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(q)

    def inject_faults(self, plan: FaultPlan | None) -> None:
        """Install a fault plan (None clears it); restarts its random sequence and flood buckets."""
        self.faults.install(plan or FaultPlan())

    def stats(self) -> Stats:
        return replace(self.counters)

    # -- the browser page: who plays, what left by other channels, and the clock -------
    def set_roster(self, people: Iterable[Person]) -> None:
        """The demo members the page shows a pane for, in the order given; opens their private chats."""
        roster = list(people)
        ids = [p.user_id for p in roster]
        if len(ids) != len(set(ids)):
            raise ValueError(f"roster has a user_id twice: {sorted(ids)}")
        self._roster = roster
        self._open_roster_chats()
        self._publish({"type": "roster", "people": [person_view(p) for p in roster]})

    def _open_roster_chats(self) -> None:
        # As if every demo member had pressed Start: the bot can notify someone who never wrote,
        # which Telegram refuses ("chat not found") for a stranger. No update is queued.
        for person in self._roster:
            user = self._meet_user(person.user_id, person.name, None, person.language)
            self._chat_for(person.user_id, "private", user)

    def roster(self) -> list[Person]:
        return list(self._roster)

    def record_external(
        self,
        channel: str,
        to_user_id: int | None,
        address: str,
        subject: str,
        text: str,
        meta: dict[str, Any] | None = None,
    ) -> ExternalDelivery:
        """Keep what would have gone out by e-mail or WhatsApp (channel "email" / "whatsapp")."""
        self._serial += 1
        delivery = ExternalDelivery(
            self._serial, channel, to_user_id, address, subject, text, dict(meta or {}), self._now()
        )
        self._external.append(delivery)
        self._publish({"type": "external", **external_view(delivery)})
        return delivery

    def externals(self) -> list[ExternalDelivery]:
        return list(self._external)

    def set_clock_handler(self, handler: ClockHandler | None) -> None:
        """`await handler("+1d")` moves the bot's clock and fires what is due; returns e.g. {"fired": 2}."""
        self._clock_handler = handler

    def set_clock_reader(self, reader: ClockReader | None) -> None:
        """Where the page reads the emulated time; without one, the emulator's own `now`."""
        self._clock_reader = reader

    def set_held_reader(self, reader: HeldReader | None) -> None:
        """Where the page learns which messages the bot holds back (quiet hours) and until when."""
        self._held_reader = reader

    async def held(self) -> list[dict[str, Any]]:
        return [] if self._held_reader is None else list(await self._held_reader())

    def clock_now(self) -> datetime:
        return (self._clock_reader or self._now)()

    @property
    def can_advance_clock(self) -> bool:
        return self._clock_handler is not None

    async def advance_clock(self, step: str) -> dict[str, Any]:
        """Validate the step, run the handler, publish `{"type": "clock", "now": ...}` and return it."""
        parse_step(step)  # refuse nonsense before the bot's handler sees it
        if self._clock_handler is None:
            raise ClockNotWired(
                "no clock handler: the bot runner must call state.set_clock_handler(...) to move time"
            )
        result = dict(await self._clock_handler(step))
        # The reader is the truth for the header; a handler may leave "now" out.
        result.setdefault("now", self.clock_now().isoformat())
        result["step"] = step
        self._publish({"type": "clock", **result})
        return result

    # -- the Bot API methods record through these -------------------------------------
    def chat_log(self, chat_ref: int | str) -> ChatLog | None:
        if isinstance(chat_ref, str):
            name = chat_ref.removeprefix("@")
            return next(
                (c for c in self._chats.values() if c.chat.get("username") == name),
                None,
            )
        return self._chats.get(chat_ref)

    def now(self) -> datetime:
        return self._now()

    def record_bot_message(self, log: ChatLog, **fields: Any) -> ChatMessage:
        msg = log.append(
            ChatMessage(
                log.take_message_id(),
                from_bot=True,
                date=self._now(),
                chat_id=log.chat_id,
                sender_id=int(self.bot_user["id"]),
                **fields,
            )
        )
        self.counters.sent += 1
        self._publish_message("message", msg)
        return msg

    def record_edit(
        self,
        log: ChatLog,
        old: ChatMessage,
        *,
        text: str,
        buttons: list[list[Button]],
        **fields: Any,
    ) -> ChatMessage:
        msg = replace(
            old,
            text=text,
            buttons=buttons,
            edits=old.edits + 1,
            edit_date=self._now(),
            **fields,
        )
        log.replace(msg)
        self.counters.edited += 1
        self._publish_message("edit", msg)
        return msg

    def answer_query(self, query_id: str, **fields: Any) -> CallbackAnswer | None:
        """Store the bot's answer; None when the query is unknown or already answered."""
        opened = self._open_queries.pop(query_id, None)
        if opened is None:
            return None
        chat_id, blank = opened
        answer = replace(blank, **fields)
        self._answers.setdefault(chat_id, []).append(answer)
        self._publish({"type": "callback_answer", "chat_id": chat_id, **_answer_view(answer)})
        return answer

    def set_commands(self, scope: dict[str, Any] | None, lang: str, commands: list[dict[str, str]]) -> None:
        self._commands[(scope_key(scope), lang)] = commands

    def delete_commands(self, scope: dict[str, Any] | None, lang: str) -> None:
        self._commands.pop((scope_key(scope), lang), None)

    def store_file(self, filename: str, mime_type: str | None, data: bytes) -> UploadedFile:
        self._serial += 1
        stored = UploadedFile(
            f"file-{self._serial}",
            f"u{self._serial}",
            filename,
            mime_type,
            len(data),
            data,
        )
        self._files[stored.file_id] = stored
        return stored

    def file(self, file_id: str) -> UploadedFile | None:
        return self._files.get(file_id)

    def message_json(self, chat_id: int, msg: ChatMessage) -> dict[str, Any]:
        log = self._chats[chat_id]
        sender = self.bot_user if msg.from_bot else self._users.get(msg.sender_id or 0)
        file = self._files.get(msg.file_id) if msg.file_id else None
        return message_json(msg, log.chat, sender, file)

    # -- internals -------------------------------------------------------------------
    def _meet_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None,
        language_code: str | None,
    ) -> dict[str, Any]:
        known = self._users.get(user_id)
        if known is None:
            known = self._users[user_id] = user_json(user_id, first_name, username, language_code)
            return known
        # A later call changes only what it names explicitly (anything but the defaults).
        if first_name != "User":
            known["first_name"] = first_name
        if username is not None:
            known["username"] = username
        if language_code != "nl":
            if language_code is None:
                known.pop("language_code", None)
            else:
                known["language_code"] = language_code
        return known

    def _chat_for(self, chat_id: int, chat_type: str, user: dict[str, Any] | None) -> ChatLog:
        if chat_id not in self._chats:
            self._chats[chat_id] = ChatLog(chat_json(chat_id, chat_type, user))
        return self._chats[chat_id]

    def _existing_chat(self, chat_id: int) -> ChatLog:
        log = self._chats.get(chat_id)
        if log is None:
            raise ValueError(f"chat {chat_id} does not exist yet: a user must send something first")
        return log

    def _queue(self, kind: str, payload: dict[str, Any], *, chat_id: int | None = None) -> dict[str, Any]:
        update = self.updates.push(kind, payload)
        chat = chat_id if chat_id is not None else payload.get("chat", {}).get("id")
        self._publish(
            {
                "type": "update",
                "update_id": update["update_id"],
                "kind": kind,
                "chat_id": chat,
            }
        )
        return update

    def _publish_message(self, event_type: str, msg: ChatMessage) -> None:
        self._publish({"type": event_type, "chat_id": msg.chat_id, "message": message_view(msg)})

    def _publish(self, event: dict[str, Any]) -> None:
        for q in self._subscribers:
            if q.full():
                q.get_nowait()  # a stalled viewer loses its oldest event, never blocks the bot
            q.put_nowait(event)


def _answer_view(answer: CallbackAnswer) -> dict[str, Any]:
    return {
        "callback_query_id": answer.callback_query_id,
        "user_id": answer.user_id,
        "message_id": answer.message_id,
        "text": answer.text,
        "show_alert": answer.show_alert,
    }


def person_view(person: Person) -> dict[str, Any]:
    return asdict(person)


def external_view(delivery: ExternalDelivery) -> dict[str, Any]:
    return {**asdict(delivery), "at": delivery.at.isoformat()}
