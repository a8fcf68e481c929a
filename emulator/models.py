"""What a chat looks like to a test: messages with their buttons, edits and files."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Button:
    """One inline button. Exactly one of callback_data / url / web_app is set for the kinds we model."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    web_app: str | None = None  # the Mini App's URL: a client opens it in a sheet over the chat


@dataclass(frozen=True)
class ChatMessage:
    """A message in a chat's history, from the user or the bot.

    Frozen: an edit replaces the entry, so a snapshot a test holds never changes under it.
    For a document or photo, `text` holds the caption ("" without one).
    """

    message_id: int
    from_bot: bool
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    edits: int = 0
    document: str | None = None
    date: datetime = _EPOCH
    chat_id: int = 0
    sender_id: int | None = None
    photo: str | None = None
    file_id: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    edit_date: datetime | None = None

    @property
    def edited(self) -> bool:
        return self.edits > 0

    def button_texts(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    def copy(self) -> ChatMessage:
        # Lists are the only mutable parts; hand out fresh ones so callers cannot edit history.
        return replace(
            self,
            buttons=[list(row) for row in self.buttons],
            entities=[dict(e) for e in self.entities],
        )


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot sent (or referred to by file_id / URL, then `data` is empty)."""

    file_id: str
    file_unique_id: str
    filename: str
    mime_type: str | None
    size: int
    data: bytes


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot said back to a button press (the toast or alert the user sees)."""

    callback_query_id: str
    user_id: int
    message_id: int | None
    text: str | None
    show_alert: bool
    url: str | None = None
    cache_time: int = 0


@dataclass
class WebhookConfig:
    """What setWebhook stored, plus the delivery errors getWebhookInfo reports."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: datetime | None = None
    last_error_message: str | None = None


@dataclass(frozen=True)
class Person:
    """A demo member the browser gives a chat pane; their private chat id is their user id."""

    user_id: int
    name: str
    roles: list[str]
    school: str
    language: str = "nl"
    # How the page names the roles ("intern begeleider"), in the school's words; empty: the role ids.
    role_names: list[str] = field(default_factory=list)
    # May start a case (the page's empty pane suggests /signaal rather than /mijn).
    starter: bool = False


@dataclass(frozen=True)
class ExternalDelivery:
    """What would have gone out by e-mail or WhatsApp; the emulator keeps it for the outbox pane."""

    delivery_id: int
    channel: str
    to_user_id: int | None
    address: str
    subject: str
    text: str
    meta: dict[str, Any]
    at: datetime
