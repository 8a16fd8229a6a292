"""Hidden graders for bedrock/tool-calling. The tools live in the worker."""

import re

import botocore.session
import pytest
from botocore.validate import ParamValidator

pytestmark = pytest.mark.category("behaviour")

SERVICE = botocore.session.get_session().get_service_model("bedrock-runtime")

WEATHER_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "minLength": 1},
        "units": {"enum": ["metric", "imperial"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "where": {
            "type": "object",
            "properties": {"lat": {"type": "number", "minimum": -90, "maximum": 90}},
        },
    },
    "required": ["city"],
    "additionalProperties": False,
}
GREET_SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}}
ANY_OBJECT = {"type": "object"}


def model_problems(value, shape, path="") -> list[str]:
    """botocore's validator, plus the enums, maxima and patterns it skips."""
    if not path:
        report = ParamValidator().validate(value, shape)
        found = report.generate_report().splitlines() if report.has_errors() else []
        return found + _walk(value, shape, "")
    return _walk(value, shape, path)


def _walk(value, shape, path) -> list[str]:
    problems = []
    kind = shape.type_name
    if (
        kind == "structure"
        and isinstance(value, dict)
        and not shape.metadata.get("document")
    ):
        for name, member in shape.members.items():
            if name in value:
                problems += _walk(value[name], member, f"{path}.{name}".lstrip("."))
    elif kind == "list" and isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            problems += _walk(item, shape.member, f"{path}[{i}]")
    elif kind == "string" and isinstance(value, str):
        enum, pattern = shape.enum, shape.metadata.get("pattern")
        if enum and value not in enum:
            problems.append(f"{path} must be one of {', '.join(enum)}")
        if pattern and not re.fullmatch(pattern, value):
            problems.append(f"{path} does not match the service's pattern")
    return problems


def expect_valid(value, shape_name: str, what: str) -> None:
    assert isinstance(
        value, dict
    ), f"{what} should be a dict, got {type(value).__name__}"
    problems = model_problems(value, SERVICE.shape_for(shape_name))
    assert not problems, (
        f"{what} does not validate against bedrock-runtime's {shape_name}: "
        + "; ".join(problems[:4])
    )


@pytest.fixture
def tools(worker):
    """Tools that run in the worker: (callable handle, description, schema)."""
    builtins = worker.import_module("builtins")
    types = worker.import_module("types")
    return {
        "get_weather": (builtins.dict, "Current weather for a city.", WEATHER_SCHEMA),
        "greet": (
            builtins.getattr("Hello {name}!", "format"),
            "Greets someone.",
            GREET_SCHEMA,
        ),
        "crash": (builtins.int, "Always fails.", ANY_OBJECT),
        "opaque": (types.SimpleNamespace, "Returns an object.", ANY_OBJECT),
        "listing": (builtins.list, "Returns a list.", ANY_OBJECT),
    }


@pytest.fixture
def registry(submission, tools):
    book = submission.ToolRegistry()
    for name, (fn, description, schema) in tools.items():
        book.register(name, fn, description, schema)
    return book


def use(name, arguments, tool_use_id="tooluse_1"):
    return {"toolUseId": tool_use_id, "name": name, "input": arguments}


def expect_result(actual, tool_use_id, status, what, hint=""):
    """The toolResult block's envelope; returns its content list."""
    assert isinstance(actual, dict) and set(actual) == {
        "toolResult"
    }, f"{what} should be a {{'toolResult': ...}} block"
    body = actual["toolResult"]
    assert (
        isinstance(body, dict) and body.get("toolUseId") == tool_use_id
    ), f"{what} should echo the toolUseId it answers"
    got = body.get("status")
    message = f"{what} should have status {status!r}, got {got!r}"
    assert got == status, f"{message}. {hint}" if hint else message
    content = body.get("content")
    assert (
        isinstance(content, list) and len(content) == 1
    ), f"{what} should carry its content as a list of one block"
    return content


def expect_error_text(actual, tool_use_id, what, must_mention=(), hint=""):
    content = expect_result(actual, tool_use_id, "error", what, hint)
    text = content[0].get("text") if isinstance(content[0], dict) else None
    assert (
        isinstance(text, str) and text.strip()
    ), f"{what}: an error result's content is one text block saying what went wrong"
    for word in must_mention:
        assert word in text, f"{what}: the error text should mention the cause ({hint})"


# -- tool configuration ------------------------------------------------------------


@pytest.mark.points(8)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "choice", ["auto", "any", "greet"], ids=["auto", "any", "forced"]
)
def test_tool_config_validates(registry, choice):
    """tool_config validates against bedrock-runtime's ToolConfiguration"""
    expect_valid(registry.tool_config(choice), "ToolConfiguration", "the tool config")


@pytest.mark.points(12)
def test_tool_config_golden(registry, tools):
    """tool_config lists every tool's spec in order and the tool choice"""
    config = registry.tool_config("get_weather")
    expected_tools = [
        {"toolSpec": {"name": n, "description": d, "inputSchema": {"json": s}}}
        for n, (_, d, s) in tools.items()
    ]
    assert isinstance(config, dict) and config.get("tools") == expected_tools, (
        "tools should list one toolSpec per registered tool, in registration order, "
        "with name, description and inputSchema.json"
    )
    assert config.get("toolChoice") == {
        "tool": {"name": "get_weather"}
    }, "forcing a tool is toolChoice {'tool': {'name': ...}}"
    assert registry.tool_config().get("toolChoice") == {
        "auto": {}
    }, "the default tool choice is {'auto': {}}"


@pytest.mark.points(6)
@pytest.mark.category("api")
def test_forcing_unknown_tool_raises(registry):
    """Forcing a tool that is not registered raises ValueError"""
    with pytest.raises(ValueError):
        registry.tool_config("get_wether")


@pytest.mark.points(3)
@pytest.mark.category("api")
@pytest.mark.parametrize(
    "name, description, schema",
    [
        pytest.param("get weather", "ok", ANY_OBJECT, id="space-in-name"),
        pytest.param("t" * 65, "ok", ANY_OBJECT, id="name-too-long"),
        pytest.param("greet", "again", ANY_OBJECT, id="duplicate-name"),
        pytest.param("typo", "ok", {"type": "objekt"}, id="invalid-schema"),
        pytest.param("quiet", "  ", ANY_OBJECT, id="blank-description"),
    ],
)
def test_register_rejects(registry, worker, name, description, schema):
    """register rejects bad names, duplicates, invalid schemas and blank descriptions"""
    builtins = worker.import_module("builtins")
    with pytest.raises(ValueError):
        registry.register(name, builtins.dict, description, schema)


# -- dispatch ------------------------------------------------------------------------


@pytest.mark.points(14)
def test_dispatch_json_result(registry):
    """A dict result comes back as one json block with status success"""
    arguments = {"city": "Paris", "units": "metric", "days": 3, "where": {"lat": 48.85}}
    actual = registry.dispatch(use("get_weather", arguments, "tooluse_abc"))
    content = expect_result(actual, "tooluse_abc", "success", "the tool result")
    assert content == [{"json": arguments}], "a dict result becomes [{'json': result}]"


@pytest.mark.points(8)
def test_dispatch_text_result(registry):
    """A str result comes back as one text block"""
    actual = registry.dispatch(use("greet", {"name": "Ada"}))
    content = expect_result(actual, "tooluse_1", "success", "the tool result")
    assert content == [
        {"text": "Hello Ada!"}
    ], "a str result becomes [{'text': result}]"


@pytest.mark.points(8)
@pytest.mark.parametrize(
    "arguments, mention",
    [
        pytest.param({"units": "metric"}, "city", id="missing-required"),
        pytest.param({"city": 75001}, "", id="wrong-type"),
        pytest.param(
            {"city": "Paris", "country": "FR"}, "country", id="extra-property"
        ),
        pytest.param({"city": "Paris", "units": "kelvin"}, "", id="not-in-enum"),
        pytest.param(
            {"city": "Paris", "where": {"lat": 123.0}}, "", id="nested-out-of-range"
        ),
    ],
)
def test_dispatch_invalid_input(registry, arguments, mention):
    """Input that breaks the tool's JSON Schema gives an error result"""
    actual = registry.dispatch(use("get_weather", arguments))
    expect_error_text(
        actual,
        "tooluse_1",
        "the result for invalid input",
        (mention,) if mention else (),
        hint="validate the input against the tool's schema before calling it",
    )


@pytest.mark.points(10)
def test_invalid_input_never_reaches_tool(submission, worker):
    """A tool is not called when its input is invalid"""
    builtins = worker.import_module("builtins")
    probe = worker.import_module("types").SimpleNamespace()
    book = submission.ToolRegistry()
    book.register(
        "probe", builtins.getattr(probe, "__init__"), "Records calls.", WEATHER_SCHEMA
    )
    book.dispatch(use("probe", {"city": 12, "country": "FR"}))
    assert (
        builtins.vars(probe) == {}
    ), "the tool ran although its input broke its schema"


@pytest.mark.points(10)
def test_dispatch_unknown_tool(registry):
    """A tool that is not registered gives an error result"""
    actual = registry.dispatch(use("get_time", {}, "tooluse_x"))
    expect_error_text(
        actual,
        "tooluse_x",
        "the result for an unknown tool",
        ("get_time",),
        "name the tool",
    )


@pytest.mark.points(12)
def test_dispatch_tool_raises(registry):
    """A tool that raises gives an error result carrying its message"""
    try:
        int(x=1)
    except TypeError as exc:
        message = str(exc)
    actual = registry.dispatch(use("crash", {"x": 1}))
    expect_error_text(
        actual,
        "tooluse_1",
        "the result of a failing tool",
        (message,),
        "include the exception's message",
    )


@pytest.mark.points(8)
def test_dispatch_not_json(registry):
    """A result that is not JSON-serializable gives an error result"""
    actual = registry.dispatch(use("opaque", {"a": 1}))
    expect_error_text(actual, "tooluse_1", "the result of a tool returning an object")


@pytest.mark.points(5)
def test_dispatch_neither_dict_nor_str(registry):
    """A result that is neither a dict nor a str gives an error result"""
    actual = registry.dispatch(use("listing", {}))
    expect_error_text(actual, "tooluse_1", "the result of a tool returning a list")


# -- the user message of tool results --------------------------------------------------

ASSISTANT = {
    "role": "assistant",
    "content": [
        {"text": "Let me look both up."},
        {"toolUse": use("get_weather", {"city": "Oslo"}, "tooluse_b")},
        {"toolUse": use("greet", {"name": "Bo"}, "tooluse_a")},
        {"toolUse": use("get_time", {}, "tooluse_c")},
    ],
}


@pytest.mark.points(15)
def test_results_message_order(submission, registry):
    """Every toolUse is answered once, in order, in one user message"""
    message = submission.tool_results_message(ASSISTANT, registry)
    assert (
        isinstance(message, dict) and message.get("role") == "user"
    ), "tool results go back in one message with role 'user'"
    content = message.get("content")
    assert isinstance(content, list), "the message's content should be a list of blocks"
    ids = [block.get("toolResult", {}).get("toolUseId") for block in content]
    assert ids == ["tooluse_b", "tooluse_a", "tooluse_c"], (
        "the message should hold one toolResult per toolUse block, in the same "
        "order, and nothing else"
    )
    statuses = [block["toolResult"].get("status") for block in content]
    assert statuses == [
        "success",
        "success",
        "error",
    ], "each toolResult should be what dispatch gives for its toolUse"


@pytest.mark.points(10)
@pytest.mark.category("api")
def test_results_message_validates(submission, registry):
    """The results message validates against bedrock-runtime's Message"""
    message = submission.tool_results_message(ASSISTANT, registry)
    expect_valid(message, "Message", "the tool results message")


@pytest.mark.points(6)
@pytest.mark.category("api")
def test_results_message_duplicate_id(submission, registry):
    """A toolUseId that appears twice raises ValueError"""
    twice = {"role": "assistant", "content": [ASSISTANT["content"][1]] * 2}
    with pytest.raises(ValueError):
        submission.tool_results_message(twice, registry)


@pytest.mark.points(5)
@pytest.mark.category("api")
def test_results_message_no_tool_use(submission, registry):
    """A message without toolUse blocks raises ValueError"""
    with pytest.raises(ValueError):
        submission.tool_results_message(
            {"role": "assistant", "content": [{"text": "Hi"}]}, registry
        )
