"""Two already-translated string sets, as the outbox would hand them over.

Only a case reference, school, pupil label, what happened and the command: no names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MailStrings:
    language: str
    subject: str
    text: str
    html: str
    summary: str
    description: str


DUTCH = MailStrings(
    language="nl",
    subject="Zorgroute: nieuwe stap in casus Z-0042 (ë)",
    text="Casus Z-0042, OBS De Linde, AB gr5: de intake is afgerond. Open met /casus Z-0042. ë",
    html="<p>Casus <b>Z-0042</b>, OBS De Linde, AB gr5: de intake is afgerond. "
    "Open met <code>/casus Z-0042</code>. ë</p>",
    summary="Overleg casus Z-0042 – café-ronde ë",
    description="Multidisciplinair overleg casus Z-0042 (OBS De Linde, AB gr5). ë",
)

ENGLISH = MailStrings(
    language="en",
    subject="Zorgroute: new step in case Z-0042 (naïve)",
    text="Case Z-0042, OBS De Linde, AB gr5: the intake is complete. Open with /casus Z-0042.",
    html="<p>Case <b>Z-0042</b>, OBS De Linde, AB gr5: the intake is complete. "
    "Open with <code>/casus Z-0042</code>.</p>",
    summary="Meeting case Z-0042 – naïve café",
    description="Multidisciplinary meeting case Z-0042 (OBS De Linde, AB gr5).",
)
