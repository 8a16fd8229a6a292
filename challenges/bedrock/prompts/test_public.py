"""Public tests: run `pytest` here. The hidden graders check much more."""

import pytest

from prompts import build_converse_request, render, to_legacy_claude_prompt


def test_render_one_variable():
    assert render("Hello {{name}}!", {"name": "Ada"}) == "Hello Ada!"


def test_request_messages():
    request = build_converse_request(
        "acme.chat-v1", None, [("user", "Hi")], max_tokens=5
    )
    assert request["messages"] == [{"role": "user", "content": [{"text": "Hi"}]}]


def test_legacy_frame_rejects_assistant_first():
    with pytest.raises(ValueError):
        to_legacy_claude_prompt([("assistant", "Hello")])
