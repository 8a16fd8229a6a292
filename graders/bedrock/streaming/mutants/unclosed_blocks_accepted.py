"""Mutant: blocks without a contentBlockStop are accepted."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

EXCEPTIONS = (
    "internalServerException",
    "modelStreamErrorException",
    "validationException",
    "throttlingException",
    "serviceUnavailableException",
)


class StreamError(RuntimeError):
    """The stream broke its contract or carried an exception event."""


def _raise_if_exception(event: dict) -> None:
    for name in EXCEPTIONS:
        if name in event:
            detail = event[name] or {}
            raise StreamError(f"{name}: {detail.get('message', '')}")


class _Block:
    """One content block being assembled: its kind and its pieces so far."""

    def __init__(self, kind: str, tool: dict | None = None):
        self.kind = kind  # "text", "toolUse" or "reasoningContent"
        self.tool = tool
        self.parts: list[str] = []  # joined once at the end: linear time
        self.signature: str | None = None
        self.closed = False

    def finish(self, index: int) -> dict:
        text = "".join(self.parts)
        if self.kind == "text":
            return {"text": text}
        if self.kind == "reasoningContent":
            reasoning = {"text": text}
            if self.signature is not None:
                reasoning["signature"] = self.signature
            return {"reasoningContent": {"reasoningText": reasoning}}
        return {"toolUse": {**self.tool, "input": _parse_tool_input(text, index)}}


def _parse_tool_input(text: str, index: int):
    if not text.strip():
        return {}
    try:
        value, end = json.JSONDecoder().raw_decode(text.lstrip())
    except json.JSONDecodeError as exc:
        raise StreamError(
            f"block {index}: tool input is not valid JSON ({exc})"
        ) from None
    if text.lstrip()[end:].strip():
        raise StreamError(f"block {index}: data after the tool input's JSON value")
    if not isinstance(value, dict):
        raise StreamError(f"block {index}: tool input must be a JSON object")
    return value


class _Assembler:
    def __init__(self) -> None:
        self.blocks: dict[int, _Block] = {}
        self.role: str | None = None
        self.stop: dict | None = None
        self.metadata: dict | None = None

    def feed(self, event: dict) -> str | None:
        """Take one event; return the text it adds to a text block, if any."""
        _raise_if_exception(event)
        if "messageStart" in event:
            self._expect(self.role is None, "a second messageStart")
            self.role = event["messageStart"]["role"]
            return None
        self._expect(self.role is not None, "an event before messageStart")
        if "contentBlockStart" in event:
            self._start(event["contentBlockStart"])
        elif "contentBlockDelta" in event:
            return self._delta(event["contentBlockDelta"])
        elif "contentBlockStop" in event:
            block = self._open_block(event["contentBlockStop"]["contentBlockIndex"])
            block.closed = True
        elif "messageStop" in event:
            self._expect(self.stop is None, "a second messageStop")
            self.stop = event["messageStop"]
        elif "metadata" in event:
            self.metadata = event["metadata"]
        return None

    def _expect(self, condition: bool, problem: str) -> None:
        if not condition:
            raise StreamError(f"malformed stream: {problem}")

    def _open_block(self, index: int) -> _Block:
        block = self.blocks.get(index)
        self._expect(block is not None, f"block {index} was never started")
        self._expect(not block.closed, f"block {index} continues after its stop")
        return block

    def _start(self, event: dict) -> None:
        index, start = event["contentBlockIndex"], event["start"]
        self._expect(index not in self.blocks, f"block {index} started twice")
        self._expect("toolUse" in start, f"block {index} starts with an unknown kind")
        tool = {
            "toolUseId": start["toolUse"]["toolUseId"],
            "name": start["toolUse"]["name"],
        }
        self.blocks[index] = _Block("toolUse", tool)

    def _delta(self, event: dict) -> str | None:
        index, delta = event["contentBlockIndex"], event["delta"]
        kind = next(iter(delta))
        if index not in self.blocks and kind in ("text", "reasoningContent"):
            self.blocks[index] = _Block(kind)
        block = self._open_block(index)
        self._expect(block.kind == kind, f"a {kind} delta for a {block.kind} block")
        if kind == "text":
            block.parts.append(delta["text"])
            return delta["text"]
        if kind == "toolUse":
            block.parts.append(delta["toolUse"]["input"])
        else:
            reasoning = delta["reasoningContent"]
            block.parts.append(reasoning.get("text", ""))
            if "signature" in reasoning:
                block.signature = reasoning["signature"]
        return None

    def result(self) -> dict:
        self._expect(self.role is not None, "no messageStart")
        self._expect(self.stop is not None, "no messageStop")
        self._expect(self.metadata is not None, "no metadata event")
        unclosed = []
        self._expect(not unclosed, f"blocks {unclosed} have no contentBlockStop")
        usage = self.metadata["usage"]
        self._expect(
            usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"],
            "totalTokens is not inputTokens + outputTokens",
        )
        content = [self.blocks[i].finish(i) for i in sorted(self.blocks)]
        response = {
            "output": {"message": {"role": self.role, "content": content}},
            "stopReason": self.stop["stopReason"],
            "usage": dict(usage),
            "metrics": dict(self.metadata["metrics"]),
        }
        if "additionalModelResponseFields" in self.stop:
            response["additionalModelResponseFields"] = self.stop[
                "additionalModelResponseFields"
            ]
        return response


def assemble(events: Iterable[dict]) -> dict:
    """The ConverseResponse-shaped dict a stream of ConverseStream events adds up to."""
    assembler = _Assembler()
    for event in events:
        assembler.feed(event)
    return assembler.result()


def iter_text(events: Iterable[dict]) -> Iterator[str]:
    """Yield each text delta as soon as its event arrives."""
    assembler = _Assembler()
    for event in events:
        text = assembler.feed(event)
        if text:
            yield text
