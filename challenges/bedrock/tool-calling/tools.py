"""Tool specs, JSON-Schema-checked dispatch, and toolResult messages for Converse."""

from __future__ import annotations

from collections.abc import Callable


class ToolRegistry:
    """Named tools with their JSON Schemas, ready for Converse's toolConfig."""

    def __init__(self) -> None:
        raise NotImplementedError("implement ToolRegistry")

    def register(
        self, name: str, fn: Callable, description: str, input_schema: dict
    ) -> None:
        """Add a tool; fn is called as fn(**tool_input).

        ValueError: a name that does not match [a-zA-Z0-9_-]{1,64}, a name
        already registered, a blank description, an input_schema that is not
        a valid JSON Schema.
        """
        raise NotImplementedError

    def tool_config(self, tool_choice: str = "auto") -> dict:
        """{"tools": [{"toolSpec": {"name", "description", "inputSchema":
        {"json": schema}}}, ...], "toolChoice": {"auto": {}} | {"any": {}} |
        {"tool": {"name": tool_choice}}}. ValueError for an unknown tool name.
        """
        raise NotImplementedError

    def dispatch(self, tool_use: dict) -> dict:
        """Answer one toolUse {"toolUseId", "name", "input"}; never raises.

        {"toolResult": {"toolUseId", "content": [one block], "status"}}:
        success with [{"json": result}] for a dict result or [{"text": result}]
        for a str; error with [{"text": why}] for an unknown tool, input that
        breaks the schema (the tool is not called), a tool that raises (the
        text includes its message), or a result that is not a JSON-serializable
        dict or a str.
        """
        raise NotImplementedError


def tool_results_message(assistant_message: dict, registry: ToolRegistry) -> dict:
    """{"role": "user", "content": [the toolResult of each toolUse block of the
    assistant message, in order]}. ValueError when the message has no toolUse
    block or repeats a toolUseId.
    """
    raise NotImplementedError("implement tool_results_message")
