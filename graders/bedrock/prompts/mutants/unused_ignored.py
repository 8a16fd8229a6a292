"""Mutant: strict render does not reject unused variables."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
ROLES = ("user", "assistant")
LEGACY_MARKERS = ("\n\nHuman:", "\n\nAssistant:")


def render(template: str, variables: dict[str, str], *, strict: bool = True) -> str:
    """Replace each {{name}} with variables[name], in one pass."""
    for name, value in variables.items():
        if not isinstance(value, str):
            raise TypeError(
                f"variable {name!r} must be a str, got {type(value).__name__}"
            )
    wanted = set(PLACEHOLDER.findall(template))
    if strict:
        missing = sorted(wanted - set(variables))
        if missing:
            raise KeyError(f"missing variables: {', '.join(missing)}")
        unused = []
        if unused:
            raise ValueError(f"unused variables: {', '.join(unused)}")

    def substitute(match: re.Match) -> str:
        return variables.get(match.group(1), match.group(0))

    return PLACEHOLDER.sub(substitute, template)


def _check_turns(turns: list[tuple[str, str]]) -> None:
    if not turns:
        raise ValueError("a conversation needs at least one turn")
    previous = None
    for position, (role, text) in enumerate(turns):
        if role not in ROLES:
            raise ValueError(
                f"turn {position}: role must be user or assistant, got {role!r}"
            )
        if position == 0 and role != "user":
            raise ValueError("a conversation must start with a user turn")
        if role == previous:
            raise ValueError(f"turn {position}: two {role} turns in a row")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"turn {position}: text must be a non-empty str")
        previous = role


def build_converse_request(
    model_id: str,
    system: str | None,
    turns: list[tuple[str, str]],
    *,
    max_tokens: int,
    temperature: float | None = None,
    stop_sequences: list[str] | None = None,
) -> dict:
    """Keyword arguments for bedrock-runtime's converse(), validated."""
    _check_turns(turns)
    if (
        isinstance(max_tokens, bool)
        or not isinstance(max_tokens, int)
        or max_tokens < 1
    ):
        raise ValueError(f"max_tokens must be an int >= 1, got {max_tokens!r}")
    config: dict = {"maxTokens": max_tokens}
    if temperature is not None:
        if isinstance(temperature, bool) or not 0 <= temperature <= 1:
            raise ValueError(f"temperature must be in [0, 1], got {temperature!r}")
        config["temperature"] = float(temperature)
    if stop_sequences is not None:
        if not all(isinstance(s, str) and s for s in stop_sequences):
            raise ValueError("stop sequences must be non-empty strings")
        config["stopSequences"] = list(stop_sequences)
    request: dict = {
        "modelId": model_id,
        "messages": [
            {"role": role, "content": [{"text": text}]} for role, text in turns
        ],
        "inferenceConfig": config,
    }
    if system is not None:
        if not system.strip():
            raise ValueError("system must be None or non-empty text")
        request["system"] = [{"text": system}]
    return request


def to_legacy_claude_prompt(
    turns: list[tuple[str, str]], system: str | None = None
) -> str:
    """The "\\n\\nHuman: ... \\n\\nAssistant:" text-completion frame."""
    _check_turns(turns)
    if turns[-1][0] != "user":
        raise ValueError("the last turn must be the user's")
    texts = [text for _, text in turns] + ([system] if system else [])
    if any(marker in text for text in texts for marker in LEGACY_MARKERS):
        raise ValueError("a text contains a turn marker and would forge a turn")
    labels = {"user": "Human", "assistant": "Assistant"}
    body = "".join(f"\n\n{labels[role]}: {text}" for role, text in turns)
    return f"{system or ''}{body}\n\nAssistant:"
