"""Mutant: input validation checks only the required properties."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from jsonschema import validators
from jsonschema.exceptions import SchemaError

TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")


class ToolRegistry:
    """Named tools with their JSON Schemas, ready for Converse's toolConfig."""

    def __init__(self) -> None:
        self._tools: dict[str, tuple[Callable, str, dict]] = {}

    def register(
        self, name: str, fn: Callable, description: str, input_schema: dict
    ) -> None:
        if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
            raise ValueError(f"tool name {name!r} must match [a-zA-Z0-9_-]{{1,64}}")
        if name in self._tools:
            raise ValueError(f"tool {name!r} is already registered")
        if not isinstance(description, str) or not description.strip():
            raise ValueError(f"tool {name!r} needs a description")
        try:
            validators.validator_for(input_schema).check_schema(input_schema)
        except SchemaError as exc:
            raise ValueError(
                f"tool {name!r} has an invalid schema: {exc.message}"
            ) from None
        self._tools[name] = (fn, description, input_schema)

    def tool_config(self, tool_choice: str = "auto") -> dict:
        if tool_choice in ("auto", "any"):
            choice = {tool_choice: {}}
        elif tool_choice in self._tools:
            choice = {"tool": {"name": tool_choice}}
        else:
            raise ValueError(
                f"tool_choice {tool_choice!r} is neither auto, any nor a tool"
            )
        specs = [
            {
                "toolSpec": {
                    "name": name,
                    "description": d,
                    "inputSchema": {"json": schema},
                }
            }
            for name, (_, d, schema) in self._tools.items()
        ]
        return {"tools": specs, "toolChoice": choice}

    def dispatch(self, tool_use: dict) -> dict:
        """Run one toolUse block; failures become an error toolResult, never raise."""
        tool_use_id = tool_use["toolUseId"]
        try:
            content = self._run(tool_use["name"], tool_use.get("input", {}))
        except _ToolFailure as failure:
            return _result(tool_use_id, [{"text": str(failure)}], "error")
        return _result(tool_use_id, content, "success")

    def _run(self, name: str, arguments) -> list[dict]:
        if name not in self._tools:
            raise _ToolFailure(f"unknown tool {name!r}")
        fn, _, schema = self._tools[name]
        errors = [
            f"{key!r} is a required property"
            for key in schema.get("required", [])
            if key not in arguments
        ]
        if errors:
            details = "; ".join(_describe(error) for error in errors)
            raise _ToolFailure(f"invalid input for {name}: {details}")
        try:
            value = fn(**arguments)
        except Exception as exc:  # noqa: BLE001 - the model must hear about it
            raise _ToolFailure(f"{name} failed: {type(exc).__name__}: {exc}") from None
        if isinstance(value, str):
            return [{"text": value}]
        if not isinstance(value, dict):
            raise _ToolFailure(
                f"{name} returned a {type(value).__name__}, not a dict or str"
            )
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise _ToolFailure(
                f"{name} returned data that is not JSON: {exc}"
            ) from None
        return [{"json": value}]


class _ToolFailure(Exception):
    pass


def _describe(error) -> str:
    if isinstance(error, str):
        return error
    where = "/".join(str(part) for part in error.absolute_path) or "input"
    return f"{where}: {error.message}"


def _result(tool_use_id: str, content: list[dict], status: str) -> dict:
    return {
        "toolResult": {"toolUseId": tool_use_id, "content": content, "status": status}
    }


def tool_results_message(assistant_message: dict, registry: ToolRegistry) -> dict:
    """The user message answering each toolUse block of a message, in order."""
    uses = [
        block["toolUse"] for block in assistant_message["content"] if "toolUse" in block
    ]
    if not uses:
        raise ValueError("the message asks for no tool")
    ids = [use["toolUseId"] for use in uses]
    if len(set(ids)) != len(ids):
        raise ValueError("a toolUseId appears twice")
    return {"role": "user", "content": [registry.dispatch(use) for use in uses]}
