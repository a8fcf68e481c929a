"""Encryption at rest: Fernet (AES-128-CBC + HMAC-SHA256) with key rotation through MultiFernet.

The first key seals; every key opens, so a new key can be put in front while old rows are still
readable, and `zorgroute keys rotate` then re-seals them under it. A value that is not a Fernet token is
plaintext from before encryption was switched on: it is read as is and sealed at its next write (or by
`keys rotate`), so turning encryption on needs no downtime migration.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Every Fernet token starts with version byte 0x80 followed by a 64-bit timestamp, base64url-encoded.
_TOKEN_PREFIX = "gAAAAA"


class DataKeyError(ValueError):
    """A configured key is not a Fernet key (32 url-safe base64 bytes)."""


def parse_keys(text: str) -> list[bytes]:
    """`ZORGROUTE_DATA_KEY`: comma-separated Fernet keys, newest first."""
    keys = [part.strip().encode() for part in text.split(",") if part.strip()]
    if not keys:
        raise DataKeyError("no key given")
    for index, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise DataKeyError(f"key #{index} is not a Fernet key (32 url-safe base64 bytes)") from None
    return keys


def new_key() -> bytes:
    return Fernet.generate_key()


def is_sealed(value: str) -> bool:
    return value.startswith(_TOKEN_PREFIX)


class FernetCipher(MultiFernet):
    """storage.cipher.Cipher over Fernet keys (newest first)."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise DataKeyError("no key given")
        super().__init__([Fernet(key) for key in keys])

    def seal(self, plaintext: str) -> str:
        return self.encrypt(plaintext.encode()).decode()

    def open(self, sealed: str) -> str:
        if not is_sealed(sealed):
            return sealed  # written before encryption was switched on
        try:
            return self.decrypt(sealed.encode()).decode()
        except InvalidToken:
            # Not readable with any configured key: say so loudly rather than show garbage.
            raise InvalidToken("a sealed value cannot be opened with ZORGROUTE_DATA_KEY") from None

    def reseal(self, value: str) -> str:
        """The value sealed under the newest key (plaintext is sealed; a token is rotated)."""
        if not is_sealed(value):
            return self.seal(value)
        return self.rotate(value.encode()).decode()
