"""Assemble a ConverseStream event stream into the response converse() returns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class StreamError(RuntimeError):
    """The stream broke its contract or carried an exception event."""


def assemble(events: Iterable[dict]) -> dict:
    """The ConverseResponse-shaped dict that a ConverseStream adds up to.

    {"output": {"message": {"role", "content": [blocks in contentBlockIndex
    order]}}, "stopReason", "usage", "metrics", and
    "additionalModelResponseFields" when messageStop carries it}. Text blocks
    are {"text"}, tool blocks {"toolUse": {"toolUseId", "name", "input": the
    parsed JSON object}}, reasoning blocks {"reasoningContent":
    {"reasoningText": {"text", "signature"?}}}. Raises StreamError on an
    exception event or a malformed stream (see the README). Linear time.
    """
    raise NotImplementedError("implement assemble")


def iter_text(events: Iterable[dict]) -> Iterator[str]:
    """Yield each text delta as its event arrives (lazily, in arrival order).

    Tool input and reasoning are not yielded. An exception event raises
    StreamError after the text that came before it has been yielded.
    """
    raise NotImplementedError("implement iter_text")
