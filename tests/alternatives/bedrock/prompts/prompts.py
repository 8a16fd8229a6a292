"""Alternative: a hand-written scanner instead of a regex, a role table."""

from __future__ import annotations

_NEXT_ROLE = {None: "user", "user": "assistant", "assistant": "user"}


def _is_identifier(text: str) -> bool:
    return text.isidentifier() and text.isascii()


def _pieces(template: str):
    """Yield ("text", s) and ("var", name) pieces, left to right."""
    i = 0
    while i < len(template):
        start = template.find("{{", i)
        end = template.find("}}", start + 2) if start >= 0 else -1
        if start < 0 or end < 0:
            yield "text", template[i:]
            return
        name = template[start + 2 : end]
        if _is_identifier(name):
            yield "text", template[i:start]
            yield "var", name
            i = end + 2
        else:
            yield "text", template[i : start + 1]
            i = start + 1


def render(template, variables, *, strict=True):
    bad = [k for k, v in variables.items() if type(v) is not str]
    if bad:
        raise TypeError(f"non-string values for {bad}")
    pieces = list(_pieces(template))
    used = {value for kind, value in pieces if kind == "var"}
    if strict:
        for name in sorted(used):
            if name not in variables:
                raise KeyError(name)
        extra = sorted(set(variables) - used)
        if extra:
            raise ValueError(f"variables not in the template: {extra}")
    out = []
    for kind, value in pieces:
        if kind == "text":
            out.append(value)
        else:
            out.append(variables.get(value, "{{" + value + "}}"))
    return "".join(out)


def _validated(turns):
    if len(turns) == 0:
        raise ValueError("empty conversation")
    role_before = None
    for role, text in turns:
        if role != _NEXT_ROLE[role_before]:
            raise ValueError(f"expected a {_NEXT_ROLE[role_before]} turn, got {role!r}")
        if type(text) is not str or text.strip() == "":
            raise ValueError("blank turn")
        role_before = role
    return [(role, text) for role, text in turns]


def build_converse_request(
    model_id, system, turns, *, max_tokens, temperature=None, stop_sequences=None
):
    turns = _validated(turns)
    if type(max_tokens) is not int or max_tokens <= 0:
        raise ValueError("max_tokens must be a positive int")
    inference = {"maxTokens": max_tokens}
    if temperature is not None:
        if not (0.0 <= float(temperature) <= 1.0):
            raise ValueError("temperature out of range")
        inference["temperature"] = temperature
    if stop_sequences is not None:
        inference["stopSequences"] = [str(s) for s in stop_sequences]
    out = {"modelId": model_id}
    if system is not None:
        if system.strip() == "":
            raise ValueError("blank system prompt")
        out["system"] = [{"text": system}]
    out["messages"] = []
    for role, text in turns:
        out["messages"].append({"role": role, "content": [{"text": text}]})
    out["inferenceConfig"] = inference
    return out


def to_legacy_claude_prompt(turns, system=None):
    turns = _validated(turns)
    if turns[-1][0] == "assistant":
        raise ValueError("the model continues after a user turn")
    parts = [system or ""]
    for role, text in turns:
        for marker in ("\n\nHuman:", "\n\nAssistant:"):
            if marker in text or marker in (system or ""):
                raise ValueError("turn marker inside a text")
        parts.append(("\n\nHuman: " if role == "user" else "\n\nAssistant: ") + text)
    parts.append("\n\nAssistant:")
    return "".join(parts)
