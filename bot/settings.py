"""Settings from the environment (and a .env file), validated once at start."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.crypto import DataKeyError, parse_keys

TELEGRAM_API_DEFAULT = "https://api.telegram.org"
# The demo's bot talks to the built-in emulator, which accepts this token and is this bot.
EMULATOR_TOKEN = "1000000001:zorgroute-emulator-token-not-a-secret"
EMULATOR_BOT_USERNAME = "zorgroute_bot"
# `zorgroute run` without a token: one line, before anything opens the database.
NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set: set it to run the bot, "
    "or run `zorgroute demo` for the demo on the built-in Bot API emulator"
)
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_DB_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


class SettingsError(Exception):
    """A bad setting; the message is one line that names the environment variable."""


def _env(name: str) -> Any:
    return AliasChoices(name)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        "sqlite+aiosqlite:///./data/zorgroute.db", validation_alias=_env("ZORGROUTE_DATABASE_URL")
    )
    telegram_bot_token: str | None = Field(None, validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    telegram_api_base: str = Field(TELEGRAM_API_DEFAULT, validation_alias=_env("TELEGRAM_API_BASE"))
    locale: str = Field("nl", validation_alias=_env("ZORGROUTE_LOCALE"))
    timezone: str = Field("Europe/Amsterdam", validation_alias=_env("ZORGROUTE_TIMEZONE"))
    webhook_url: str | None = Field(None, validation_alias=_env("ZORGROUTE_WEBHOOK_URL"))
    webhook_secret: str | None = Field(None, validation_alias=_env("ZORGROUTE_WEBHOOK_SECRET"))
    webhook_path: str = Field("/telegram/webhook", validation_alias=_env("ZORGROUTE_WEBHOOK_PATH"))
    emulator_host: str = Field("127.0.0.1", validation_alias=_env("ZORGROUTE_EMULATOR_HOST"))
    emulator_port: int = Field(8080, ge=0, le=65535, validation_alias=_env("ZORGROUTE_EMULATOR_PORT"))
    secret_key: str | None = Field(None, validation_alias=_env("ZORGROUTE_SECRET_KEY"))
    data_dir: Path = Field(Path("./data"), validation_alias=_env("ZORGROUTE_DATA_DIR"))
    log_level: str = Field("INFO", validation_alias=_env("ZORGROUTE_LOG_LEVEL"))
    # Notification channels (issue 4). A channel whose settings are missing is not offered in /meldingen.
    smtp_host: str | None = Field(None, validation_alias=_env("ZORGROUTE_SMTP_HOST"))
    smtp_port: int = Field(587, ge=1, le=65535, validation_alias=_env("ZORGROUTE_SMTP_PORT"))
    smtp_security: str = Field("starttls", validation_alias=_env("ZORGROUTE_SMTP_SECURITY"))
    smtp_username: str | None = Field(None, validation_alias=_env("ZORGROUTE_SMTP_USERNAME"))
    smtp_password: str | None = Field(None, validation_alias=_env("ZORGROUTE_SMTP_PASSWORD"), repr=False)
    mail_from: str | None = Field(None, validation_alias=_env("ZORGROUTE_MAIL_FROM"))
    whatsapp_base_url: str = Field(
        "https://graph.facebook.com/v21.0", validation_alias=_env("ZORGROUTE_WHATSAPP_BASE_URL")
    )
    whatsapp_phone_number_id: str | None = Field(
        None, validation_alias=_env("ZORGROUTE_WHATSAPP_PHONE_NUMBER_ID")
    )
    whatsapp_token: str | None = Field(None, validation_alias=_env("ZORGROUTE_WHATSAPP_TOKEN"), repr=False)
    whatsapp_app_secret: str | None = Field(
        None, validation_alias=_env("ZORGROUTE_WHATSAPP_APP_SECRET"), repr=False
    )
    whatsapp_verify_token: str | None = Field(
        None, validation_alias=_env("ZORGROUTE_WHATSAPP_VERIFY_TOKEN"), repr=False
    )
    whatsapp_template: str = Field("zorgroute_update", validation_alias=_env("ZORGROUTE_WHATSAPP_TEMPLATE"))
    video_base_url: str = Field("https://meet.jit.si/", validation_alias=_env("ZORGROUTE_VIDEO_BASE_URL"))
    # Encryption at rest: Fernet keys, comma-separated, newest first; unset: data_dir/data.key.
    data_key: str | None = Field(None, validation_alias=_env("ZORGROUTE_DATA_KEY"), repr=False)
    # Per Telegram user: at most BURST updates at once, refilled over SECONDS (bot/middlewares/abuse.py).
    rate_limit_burst: int = Field(20, ge=1, validation_alias=_env("ZORGROUTE_RATE_LIMIT_BURST"))
    rate_limit_seconds: float = Field(10.0, gt=0, validation_alias=_env("ZORGROUTE_RATE_LIMIT_SECONDS"))
    # Several workers: their shared limits in Redis instead of PostgreSQL (optional; storage/buckets.py).
    redis_url: str | None = Field(None, validation_alias=_env("ZORGROUTE_REDIS_URL"), repr=False)
    retention_months: int = Field(24, ge=1, le=1200, validation_alias=_env("ZORGROUTE_RETENTION_MONTHS"))
    # The Mini App (docs/webapp.md): Telegram's initData is accepted for this many minutes after it was
    # signed; the session it opens lasts this many minutes.
    webapp_auth_minutes: int = Field(5, ge=1, le=1440, validation_alias=_env("ZORGROUTE_WEBAPP_AUTH_MINUTES"))
    webapp_session_minutes: int = Field(
        30, ge=1, le=1440, validation_alias=_env("ZORGROUTE_WEBAPP_SESSION_MINUTES")
    )
    # minimal: the chat carries only school, case ref, pupil label and which step waits, and a button to
    # the Mini App; full: everything in the chat. Unset: minimal when the webhook URL is https.
    chat_content: str | None = Field(None, validation_alias=_env("ZORGROUTE_CHAT_CONTENT"))
    # Where Telegram opens the Mini App; unset: ZORGROUTE_WEBHOOK_URL + /app/ (the webhook server serves it).
    webapp_url: str | None = Field(None, validation_alias=_env("ZORGROUTE_WEBAPP_URL"))

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(_DB_SCHEMES):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator(
        "telegram_bot_token",
        "webhook_url",
        "webhook_secret",
        "secret_key",
        "data_key",
        "smtp_host",
        "smtp_username",
        "smtp_password",
        "mail_from",
        "whatsapp_phone_number_id",
        "whatsapp_token",
        "whatsapp_app_secret",
        "whatsapp_verify_token",
        "chat_content",
        "webapp_url",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token(cls, value: str | None) -> str | None:
        if value is not None and not _TOKEN_RE.match(value):
            raise ValueError("does not look like a bot token (digits, a colon, then the secret)")
        return value

    @field_validator("data_key")
    @classmethod
    def _data_key(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_keys(value)
            except DataKeyError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("telegram_api_base", "webhook_url", "whatsapp_base_url")
    @classmethod
    def _http_base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in ("nl", "en"):
            raise ValueError("must be nl or en")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known time zone (e.g. Europe/Amsterdam)") from exc
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return upper

    @field_validator("smtp_security")
    @classmethod
    def _smtp_security(cls, value: str) -> str:
        if value not in ("none", "starttls", "tls"):
            raise ValueError("must be none, starttls or tls")
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
            raise ValueError("must be a plain e-mail address (name@example.org)")
        return value

    @field_validator("chat_content")
    @classmethod
    def _chat_content(cls, value: str | None) -> str | None:
        if value is not None and value not in ("minimal", "full"):
            raise ValueError("must be minimal or full")
        return value

    @field_validator("whatsapp_template")
    @classmethod
    def _template(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]{1,512}", value):
            raise ValueError("must be lowercase letters, digits and underscores")
        return value

    @field_validator("video_base_url")
    @classmethod
    def _video_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith("/") or "?" in value:
            raise ValueError("must be an http(s) URL ending in / (e.g. https://meet.jit.si/)")
        return value

    @model_validator(mode="after")
    def _channels_complete(self) -> Settings:
        # Half a channel configuration is a mistake worth stopping for, not a channel to drop quietly.
        if self.smtp_host is not None and self.mail_from is None:
            raise ValueError("ZORGROUTE_MAIL_FROM: must be set when ZORGROUTE_SMTP_HOST is")
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("ZORGROUTE_SMTP_PASSWORD: username and password go together")
        whatsapp = (self.whatsapp_phone_number_id, self.whatsapp_token, self.whatsapp_app_secret)
        if any(v is not None for v in whatsapp) and not all(v is not None for v in whatsapp):
            raise ValueError("ZORGROUTE_WHATSAPP_TOKEN: phone number id, token and app secret go together")
        return self

    @property
    def mail_enabled(self) -> bool:
        return self.smtp_host is not None

    @property
    def whatsapp_enabled(self) -> bool:
        return self.whatsapp_phone_number_id is not None

    @property
    def minimal_chat(self) -> bool:
        """Case content only in the Mini App, not in the chat. The default needs a public https URL:
        without one Telegram cannot open the Mini App, and the chat is all members have."""
        if self.chat_content is not None:
            return self.chat_content == "minimal"
        return bool(self.webhook_url and self.webhook_url.startswith("https://"))

    @property
    def mini_app_url(self) -> str | None:
        if self.webapp_url is not None:
            return self.webapp_url
        return f"{self.webhook_url}/app/" if self.webhook_url else None

    @property
    def uses_emulator(self) -> bool:
        """No token: only the demo runs (`zorgroute demo`, against the built-in Bot API emulator)."""
        return self.telegram_bot_token is None


def _env_name(field_name: str) -> str:
    alias = Settings.model_fields[field_name].validation_alias
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        return first if isinstance(first, str) else field_name
    return field_name


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; a problem becomes one line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = error.get("loc") or ("?",)
        field = str(loc[0])
        name = _env_name(field) if field in Settings.model_fields else field
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if field == "?":
            # A whole-model check names its variable itself ("ZORGROUTE_MAIL_FROM: must be set ...").
            raise SettingsError(message) from None
        raise SettingsError(f"{name}: {message}") from None
