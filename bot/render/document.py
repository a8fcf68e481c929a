"""A document a route assembles from earlier steps' answers, shown to whoever opens a later step.

Rotterdam's werk- en toeleidingsdocument SMW: the SMW-er's severity assessment, help question and goals,
the call with the wijkteamleider and the rest of the document, which the jeugd- en gezinscoach receives
on `ontvangst`. The route says which steps and where (`settings.toeleidingsdocument`), so any route can
carry such a document without code of its own.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import N_
from bot.render.case_view import recorded_lines
from bot.render.form import header
from bot.render.text import Translator
from flows.case import Case
from flows.policy import Actor, can_read
from flows.route import Route

# The settings key, and the msgid of the document's title.
DOCUMENTS = {"toeleidingsdocument": N_("document.toeleidingsdocument")}
# Telegram stops a message at 4096 characters; a full document can be longer, so it is sent in parts,
# split between steps (never inside one, which could cut an HTML tag).
MESSAGE_LIMIT = 4000


def document_for(t: Translator, route: Route, case: Case, step_id: str, actor: Actor) -> list[str]:
    """The document shown on `step_id`, filled from the case's answers `actor` may read, as messages; []
    if there is none."""
    for key, title in DOCUMENTS.items():
        spec: Any = route.settings.get(key)
        if not isinstance(spec, dict) or spec.get("shown_on") != step_id:
            continue
        sections = []
        for source in spec.get("steps", []):
            lines = recorded_lines(
                t, route, case, source, readable=lambda sid: can_read(actor, case, route, sid)
            )
            if source in route.steps and lines:
                sections.append("<b>" + t.raw(route.steps[source].title) + "</b>\n" + "\n".join(lines))
        messages = [header(t, case) + "<b>" + t(title) + "</b>"]
        for section in sections or [t("document.empty")]:
            if len(messages[-1]) + 2 + len(section) > MESSAGE_LIMIT:
                messages.append(section[:MESSAGE_LIMIT])
            else:
                messages[-1] += "\n\n" + section
        return messages
    return []
