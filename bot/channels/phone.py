"""Phone numbers in the form the WhatsApp Cloud API expects: E.164 digits without "+"."""

from __future__ import annotations

import re

from bot.channels.errors import InvalidRecipientError

# Spacing and punctuation people type; anything else (letters, extensions) is an error.
_SEPARATORS = re.compile(r"[\s\-().]")
_E164_DIGITS = re.compile(r"[1-9][0-9]{7,14}")


def normalize_phone(raw: str) -> str:
    """``"+31 6-1234 5678"`` or ``"0031612345678"`` -> ``"31612345678"``.

    National numbers ("06 ...") are refused rather than guessed: a wrong country code would
    send a message about a child to a stranger.
    """
    compact = _SEPARATORS.sub("", raw)
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):
        digits = compact[2:]
    else:
        raise InvalidRecipientError("phone number needs an international prefix (+ or 00)")
    if not _E164_DIGITS.fullmatch(digits):
        raise InvalidRecipientError("phone number is not a valid E.164 number")
    return digits
