"""Meeting links: unguessable, and carrying nothing about the case."""

from __future__ import annotations

import re

import pytest

from bot.channels.video import ROOM_PREFIX, meeting_link


class FixedBytes:
    def __init__(self, value: bytes) -> None:
        self.value = value

    def token_bytes(self, nbytes: int | None = None, /) -> bytes:
        return self.value[: nbytes or 32]


def test_links_are_unique_and_long_enough() -> None:
    links = {meeting_link() for _ in range(500)}
    assert len(links) == 500
    for link in links:
        room = link.removeprefix("https://meet.jit.si/" + ROOM_PREFIX)
        # Lowercase base32: 5 bits a character, safe under Jitsi's case folding.
        assert re.fullmatch(r"[a-z2-7]{32}", room)
        assert len(room) * 5 >= 128


def test_the_room_comes_only_from_randomness() -> None:
    link = meeting_link("https://video.example.nl/", rng=FixedBytes(bytes(range(20))))
    assert link == "https://video.example.nl/zorgroute-aaaqeayeaudaocajbifqydiob4ibceqt"
    for case_data in ["z-0042", "linde", "ab", "gr5"]:
        assert case_data not in link.removeprefix("https://video.example.nl/")


def test_a_short_random_source_is_refused() -> None:
    with pytest.raises(ValueError, match="too few"):
        meeting_link(rng=FixedBytes(b"short"))


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://meet.example/",
        "https://meet.jit.si",
        "meet.jit.si/",
        "https:///",
        "https://meet.example/?room=",
        "javascript:alert(1)//",
    ],
)
def test_base_url_must_be_http_and_end_with_a_slash(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        meeting_link(base_url)
