"""Alternative: StringIO buffers, json.loads, one event handler per kind."""

from __future__ import annotations

import io
import json

_ERRORS = {
    "internalServerException",
    "modelStreamErrorException",
    "validationException",
    "throttlingException",
    "serviceUnavailableException",
}


class StreamError(RuntimeError):
    pass


def _fail(why):
    raise StreamError(why)


class _State:
    def __init__(self):
        self.started = False
        self.role = None
        self.kinds = {}  # index -> kind
        self.buffers = {}  # index -> StringIO
        self.tools = {}  # index -> (id, name)
        self.signatures = {}
        self.stopped = set()
        self.stop = None
        self.meta = None

    def handle(self, event):
        (kind, body), *rest = event.items() if event else [(None, None)]
        if kind in _ERRORS:
            _fail(f"{kind} during the stream: {(body or {}).get('message')}")
        if kind == "messageStart":
            if self.started:
                _fail("messageStart twice")
            self.started, self.role = True, body["role"]
            return None
        if not self.started:
            _fail("stream does not begin with messageStart")
        handler = getattr(self, "_" + str(kind), None)
        return handler(body) if handler else None

    def _buffer(self, index, kind):
        if index in self.stopped:
            _fail(f"block {index} already stopped")
        if index not in self.kinds:
            if kind == "toolUse":
                _fail(f"tool block {index} has no contentBlockStart")
            self.kinds[index] = kind
            self.buffers[index] = io.StringIO()
        if self.kinds[index] != kind:
            _fail(f"block {index} mixes {self.kinds[index]} and {kind}")
        return self.buffers[index]

    def _contentBlockStart(self, body):
        index = body["contentBlockIndex"]
        if index in self.kinds or "toolUse" not in body["start"]:
            _fail(f"bad start for block {index}")
        tool = body["start"]["toolUse"]
        self.kinds[index], self.buffers[index] = "toolUse", io.StringIO()
        self.tools[index] = (tool["toolUseId"], tool["name"])

    def _contentBlockDelta(self, body):
        index, delta = body["contentBlockIndex"], body["delta"]
        if "text" in delta:
            self._buffer(index, "text").write(delta["text"])
            return delta["text"]
        if "toolUse" in delta:
            self._buffer(index, "toolUse").write(delta["toolUse"]["input"])
        elif "reasoningContent" in delta:
            part = delta["reasoningContent"]
            self._buffer(index, "reasoning").write(part.get("text", ""))
            if "signature" in part:
                self.signatures[index] = part["signature"]
        return None

    def _contentBlockStop(self, body):
        index = body["contentBlockIndex"]
        if index not in self.kinds or index in self.stopped:
            _fail(f"unexpected stop for block {index}")
        self.stopped.add(index)

    def _messageStop(self, body):
        self.stop = body

    def _metadata(self, body):
        self.meta = body

    def block(self, index):
        raw = self.buffers[index].getvalue()
        kind = self.kinds[index]
        if kind == "text":
            return {"text": raw}
        if kind == "reasoning":
            inner = {"text": raw}
            if index in self.signatures:
                inner["signature"] = self.signatures[index]
            return {"reasoningContent": {"reasoningText": inner}}
        try:
            value = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            raise StreamError(f"tool input of block {index}: {exc}") from None
        if type(value) is not dict:
            _fail("tool input is not an object")
        tool_id, name = self.tools[index]
        return {"toolUse": {"toolUseId": tool_id, "name": name, "input": value}}

    def response(self):
        if not self.started or self.stop is None or self.meta is None:
            _fail("incomplete stream")
        if set(self.kinds) != self.stopped:
            _fail("a block was never stopped")
        usage = dict(self.meta["usage"])
        if usage["inputTokens"] + usage["outputTokens"] != usage["totalTokens"]:
            _fail("usage does not add up")
        out = {
            "output": {
                "message": {
                    "role": self.role,
                    "content": [self.block(i) for i in sorted(self.kinds)],
                }
            },
            "stopReason": self.stop["stopReason"],
            "usage": usage,
            "metrics": dict(self.meta["metrics"]),
        }
        extra = self.stop.get("additionalModelResponseFields")
        if "additionalModelResponseFields" in self.stop:
            out["additionalModelResponseFields"] = extra
        return out


def assemble(events):
    state = _State()
    for event in events:
        state.handle(event)
    return state.response()


def iter_text(events):
    state = _State()
    for event in events:
        piece = state.handle(event)
        if piece:
            yield piece
