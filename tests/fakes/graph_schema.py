"""What the fake Graph API accepts on POST /{phone-number-id}/messages, checked strictly.

Unknown keys are errors here (Meta ignores some), so a typo in the client cannot pass.
Each check returns ``(graph error code, reason)`` or None when the body is acceptable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

INVALID_PARAMETER = 100
TEMPLATE_PARAM_COUNT_MISMATCH = 132000
TEMPLATE_NOT_FOUND = 132001
TEMPLATE_PARAM_FORMAT = 132018

_PHONE = re.compile(r"[1-9][0-9]{7,14}")
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
_BAD_PARAMETER = re.compile(r"[\n\t]| {5,}")

Problem = tuple[int, str] | None


def check_message(body: object, templates: Mapping[str, int] | None) -> Problem:
    if not isinstance(body, dict):
        return INVALID_PARAMETER, "body is not a JSON object"
    kind = body.get("type")
    allowed = {"messaging_product", "recipient_type", "to", "type", kind}
    if unknown := set(body) - allowed:
        return INVALID_PARAMETER, f"unexpected keys {sorted(map(str, unknown))}"
    if body.get("messaging_product") != "whatsapp":
        return INVALID_PARAMETER, "messaging_product must be 'whatsapp'"
    if body.get("recipient_type", "individual") != "individual":
        return INVALID_PARAMETER, "recipient_type must be 'individual'"
    to = body.get("to")
    if not isinstance(to, str) or not _PHONE.fullmatch(to):
        return INVALID_PARAMETER, "to must be E.164 digits without '+'"
    if kind == "template":
        return _check_template(body.get("template"), templates)
    if kind == "text":
        return _check_text(body.get("text"))
    return INVALID_PARAMETER, "type must be 'template' or 'text'"


def _check_text(text: object) -> Problem:
    if not isinstance(text, dict) or set(text) - {"body", "preview_url"}:
        return INVALID_PARAMETER, "text must be {body, preview_url?}"
    body = text.get("body")
    if not isinstance(body, str) or not 0 < len(body) <= 4096:
        return INVALID_PARAMETER, "text.body must be 1..4096 characters"
    if not isinstance(text.get("preview_url", False), bool):
        return INVALID_PARAMETER, "text.preview_url must be a boolean"
    return None


def _check_template(template: object, templates: Mapping[str, int] | None) -> Problem:
    if not isinstance(template, dict) or set(template) - {"name", "language", "components"}:
        return INVALID_PARAMETER, "template must be {name, language, components?}"
    name = template.get("name")
    if not isinstance(name, str) or not _TEMPLATE_NAME.fullmatch(name):
        return INVALID_PARAMETER, "template.name is malformed"
    language = template.get("language")
    if not isinstance(language, dict) or set(language) != {"code"}:
        return INVALID_PARAMETER, "template.language must be {code}"
    if not isinstance(language["code"], str) or not _LANGUAGE.fullmatch(language["code"]):
        return INVALID_PARAMETER, "template.language.code is malformed"
    texts = _body_parameters(template.get("components", []))
    if texts is None:
        return INVALID_PARAMETER, "components must be [{type: body, parameters: [{type: text}]}]"
    if any(not t or _BAD_PARAMETER.search(t) for t in texts):
        return TEMPLATE_PARAM_FORMAT, "parameter has newlines, tabs or more than 4 spaces"
    if templates is not None:
        if name not in templates:
            return TEMPLATE_NOT_FOUND, "template name does not exist in the translation"
        if templates[name] != len(texts):
            return TEMPLATE_PARAM_COUNT_MISMATCH, "number of parameters does not match"
    return None


def _body_parameters(components: object) -> list[str] | None:
    if not isinstance(components, list):
        return None
    texts: list[str] = []
    for component in components:
        if not isinstance(component, dict) or set(component) != {"type", "parameters"}:
            return None
        parameters = component["parameters"]
        if component["type"] != "body" or not isinstance(parameters, list):
            return None
        for parameter in parameters:
            if not isinstance(parameter, dict) or set(parameter) != {"type", "text"}:
                return None
            if parameter["type"] != "text" or not isinstance(parameter["text"], str):
                return None
            texts.append(parameter["text"])
    return texts
