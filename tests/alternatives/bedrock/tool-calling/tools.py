"""Alternative: Draft202012Validator with a format checker, results built inline."""

from __future__ import annotations

import json
import string

import jsonschema

_ALLOWED = set(string.ascii_letters + string.digits + "_-")


class ToolRegistry:
    def __init__(self):
        self.names = []
        self.entries = {}

    def register(self, name, fn, description, input_schema):
        if not (
            isinstance(name, str) and 0 < len(name) <= 64 and set(name) <= _ALLOWED
        ):
            raise ValueError(f"invalid tool name {name!r}")
        if name in self.entries:
            raise ValueError(f"duplicate tool {name!r}")
        if not (isinstance(description, str) and description.strip()):
            raise ValueError("description must not be blank")
        cls = jsonschema.validators.validator_for(input_schema)
        try:
            cls.check_schema(input_schema)
        except jsonschema.SchemaError as exc:
            raise ValueError(f"bad schema: {exc.message}") from exc
        self.entries[name] = (fn, description, input_schema, cls(input_schema))
        self.names.append(name)

    def tool_config(self, tool_choice="auto"):
        if tool_choice == "auto" or tool_choice == "any":
            choice = {tool_choice: {}}
        elif tool_choice in self.entries:
            choice = {"tool": {"name": tool_choice}}
        else:
            raise ValueError(f"cannot force unknown tool {tool_choice!r}")
        tools = []
        for name in self.names:
            _, description, schema, _ = self.entries[name]
            spec = {"name": name, "description": description}
            spec["inputSchema"] = {"json": schema}
            tools.append({"toolSpec": spec})
        return {"tools": tools, "toolChoice": choice}

    def dispatch(self, tool_use):
        block_id = tool_use["toolUseId"]

        def failed(text):
            content = [{"text": text}]
            return {
                "toolResult": {
                    "toolUseId": block_id,
                    "content": content,
                    "status": "error",
                }
            }

        entry = self.entries.get(tool_use.get("name"))
        if entry is None:
            return failed(f"no such tool: {tool_use.get('name')}")
        fn, _, _, validator = entry
        arguments = tool_use.get("input") or {}
        problems = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
        if problems:
            return failed("input rejected: " + " | ".join(p.message for p in problems))
        try:
            output = fn(**arguments)
        except Exception as exc:  # noqa: BLE001
            return failed(f"tool error: {exc}")
        if type(output) is str:
            block = {"text": output}
        elif isinstance(output, dict):
            try:
                block = {"json": json.loads(json.dumps(output))}
            except (TypeError, ValueError):
                return failed("tool output is not JSON")
        else:
            return failed(f"tool returned {type(output).__name__}")
        return {
            "toolResult": {
                "toolUseId": block_id,
                "content": [block],
                "status": "success",
            }
        }


def tool_results_message(assistant_message, registry):
    results, seen = [], set()
    for block in assistant_message.get("content", []):
        if "toolUse" not in block:
            continue
        tool_use = block["toolUse"]
        if tool_use["toolUseId"] in seen:
            raise ValueError("repeated toolUseId")
        seen.add(tool_use["toolUseId"])
        results.append(tool_use)
    if not results:
        raise ValueError("nothing to answer")
    return {"role": "user", "content": [registry.dispatch(t) for t in results]}
