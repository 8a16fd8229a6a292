"""Strict prompt templates and Converse-shaped requests."""

from __future__ import annotations


def render(template: str, variables: dict[str, str], *, strict: bool = True) -> str:
    """Replace each {{name}} (name: a Python identifier, no spaces) with its value.

    Values must be str (TypeError otherwise) and are inserted literally: a
    value containing {{other}} is not expanded. strict=True: a placeholder
    without a variable raises KeyError naming it, a variable without a
    placeholder raises ValueError naming it. strict=False: missing
    placeholders stay as they are, unused variables are ignored.
    """
    raise NotImplementedError("implement render")


def build_converse_request(
    model_id: str,
    system: str | None,
    turns: list[tuple[str, str]],
    *,
    max_tokens: int,
    temperature: float | None = None,
    stop_sequences: list[str] | None = None,
) -> dict:
    """The keyword arguments of bedrock-runtime's converse() for this conversation.

    {"modelId", "system": [{"text"}] (only when system is given),
     "messages": [{"role", "content": [{"text"}]}, ...],
     "inferenceConfig": {"maxTokens", "temperature"?, "stopSequences"?}}.
    ValueError: no turns, a first turn that is not "user", two turns in a row
    with the same role, a role other than user/assistant, blank text or
    system, max_tokens not an int >= 1, temperature outside [0, 1].
    """
    raise NotImplementedError("implement build_converse_request")


def to_legacy_claude_prompt(
    turns: list[tuple[str, str]], system: str | None = None
) -> str:
    """The legacy text-completion frame: system, then "\\n\\nHuman: ..." and
    "\\n\\nAssistant: ..." per turn, ending with "\\n\\nAssistant:".

    Same conversation rules as build_converse_request, and the last turn is
    the user's. A text containing "\\n\\nHuman:" or "\\n\\nAssistant:" raises
    ValueError (it would forge a turn).
    """
    raise NotImplementedError("implement to_legacy_claude_prompt")
