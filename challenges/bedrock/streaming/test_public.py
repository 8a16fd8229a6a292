"""Public tests: run `pytest` here. The hidden graders check much more."""

import pytest

from streaming import StreamError, assemble, iter_text

EVENTS = [
    {"messageStart": {"role": "assistant"}},
    {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "Hello"}}},
    {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": " world"}}},
    {"contentBlockStop": {"contentBlockIndex": 0}},
    {"messageStop": {"stopReason": "end_turn"}},
    {
        "metadata": {
            "usage": {"inputTokens": 3, "outputTokens": 2, "totalTokens": 5},
            "metrics": {"latencyMs": 42},
        }
    },
]


def test_text_only():
    result = assemble(EVENTS)
    assert result["output"]["message"]["content"] == [{"text": "Hello world"}]
    assert result["stopReason"] == "end_turn"


def test_iter_text():
    assert list(iter_text(EVENTS)) == ["Hello", " world"]


def test_exception_event():
    broken = EVENTS[:2] + [{"throttlingException": {"message": "slow down"}}]
    with pytest.raises(StreamError):
        assemble(broken)
