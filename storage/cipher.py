"""The seam for encryption at rest. Repositories seal what people wrote before it reaches a column.

`PlainCipher` is the identity (tests that look at rows, and the migration path); the key-based
cipher lives beside it once keys are configured.
"""

from __future__ import annotations

from typing import Protocol


class Cipher(Protocol):
    def seal(self, plaintext: str) -> str: ...

    def open(self, sealed: str) -> str: ...


class PlainCipher:
    def seal(self, plaintext: str) -> str:
        return plaintext

    def open(self, sealed: str) -> str:
        return sealed
