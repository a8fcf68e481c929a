from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.startswith(("ZORGROUTE_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./data/zorgroute.db"
    assert settings.telegram_bot_token is None and settings.uses_emulator
    assert settings.telegram_api_base == "https://api.telegram.org"
    assert (settings.locale, settings.timezone) == ("nl", "Europe/Amsterdam")
    assert settings.webhook_path == "/telegram/webhook"
    assert (settings.emulator_host, settings.emulator_port) == ("127.0.0.1", 8080)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ZORGROUTE_DATABASE_URL", "mysql://localhost/x"),
        ("ZORGROUTE_DATABASE_URL", "sqlite:///plain.db"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_API_BASE", "ftp://example.org"),
        ("ZORGROUTE_LOCALE", "de"),
        ("ZORGROUTE_TIMEZONE", "Mars/Olympus"),
        ("ZORGROUTE_EMULATOR_PORT", "eighty"),
        ("ZORGROUTE_LOG_LEVEL", "LOUD"),
        ("ZORGROUTE_WEBHOOK_PATH", "no-slash"),
        ("ZORGROUTE_SMTP_SECURITY", "ssl"),
        ("ZORGROUTE_MAIL_FROM", "not an address"),
        ("ZORGROUTE_WHATSAPP_TEMPLATE", "Has Spaces"),
        ("ZORGROUTE_VIDEO_BASE_URL", "https://meet.jit.si"),
    ],
)
def test_a_bad_value_names_the_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{variable}: ") and "\n" not in message


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ZORGROUTE_LOCALE=en\nTELEGRAM_API_BASE=http://127.0.0.1:9/\n")
    monkeypatch.setenv("ZORGROUTE_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAH" + "x" * 32)
    settings = load_settings()
    assert settings.locale == "en"
    assert settings.telegram_api_base == "http://127.0.0.1:9"
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert not settings.uses_emulator


def test_empty_token_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    assert load_settings().telegram_bot_token is None
    assert isinstance(load_settings(), Settings)


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"ZORGROUTE_SMTP_HOST": "smtp.school.test"}, "ZORGROUTE_MAIL_FROM"),
        ({"ZORGROUTE_WHATSAPP_TOKEN": "t"}, "ZORGROUTE_WHATSAPP_TOKEN"),
    ],
)
def test_half_a_channel_is_one_line_naming_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, given: dict[str, str], named: str
) -> None:
    for variable, value in given.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{named}: ") and "\n" not in str(caught.value)
