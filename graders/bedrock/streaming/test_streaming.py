"""Hidden graders for bedrock/streaming: recorded-style ConverseStream fixtures."""

import time

import botocore.session
import pytest
from botocore.validate import ParamValidator

pytestmark = pytest.mark.category("behaviour")

CONVERSE_OUTPUT = (
    botocore.session.get_session()
    .get_service_model("bedrock-runtime")
    .operation_model("Converse")
    .output_shape
)
# Large streams: a linear assembler takes about a second for these; one
# that copies its growing buffer per delta takes minutes (the call times out).
TEXT_DELTAS = 1_000_000
TOOL_FRAGMENTS = 50_000
LARGE_STREAM_WALL_S = 6.0


# -- event builders (the shapes of bedrock-runtime's ConverseStreamOutput) ------


def message_start(role="assistant"):
    return {"messageStart": {"role": role}}


def text(index, chunk):
    return {"contentBlockDelta": {"contentBlockIndex": index, "delta": {"text": chunk}}}


def tool_start(index, tool_use_id, name):
    start = {"toolUse": {"toolUseId": tool_use_id, "name": name}}
    return {"contentBlockStart": {"contentBlockIndex": index, "start": start}}


def tool_input(index, fragment):
    delta = {"toolUse": {"input": fragment}}
    return {"contentBlockDelta": {"contentBlockIndex": index, "delta": delta}}


def reasoning(index, chunk=None, signature=None):
    delta = {}
    if chunk is not None:
        delta["text"] = chunk
    if signature is not None:
        delta["signature"] = signature
    block = {"contentBlockIndex": index, "delta": {"reasoningContent": delta}}
    return {"contentBlockDelta": block}


def block_stop(index):
    return {"contentBlockStop": {"contentBlockIndex": index}}


def message_stop(reason="end_turn", **extra):
    return {"messageStop": {"stopReason": reason, **extra}}


def metadata(inp=12, out=34, latency=250, total=None):
    usage = {"inputTokens": inp, "outputTokens": out}
    usage["totalTokens"] = inp + out if total is None else total
    return {"metadata": {"usage": usage, "metrics": {"latencyMs": latency}}}


def response(content, reason="end_turn", inp=12, out=34, latency=250):
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": reason,
        "usage": {"inputTokens": inp, "outputTokens": out, "totalTokens": inp + out},
        "metrics": {"latencyMs": latency},
    }


def tool_block(tool_use_id, name, value):
    return {"toolUse": {"toolUseId": tool_use_id, "name": name, "input": value}}


# -- fixtures ------------------------------------------------------------------------

TEXT_ONLY = [
    message_start(),
    text(0, "The capital"),
    text(0, " of France"),
    text(0, " is Paris."),
    block_stop(0),
    message_stop("end_turn"),
    metadata(),
]

INTERLEAVED = [
    message_start(),
    text(0, "Let me check "),
    tool_start(1, "tooluse_w1", "get_weather"),
    tool_input(1, '{"ci'),
    text(0, "the weather."),
    tool_input(1, 'ty": "Pa'),
    block_stop(0),
    tool_input(1, 'ris"}'),
    block_stop(1),
    message_stop("tool_use"),
    metadata(40, 22, 310),
]

TWO_TOOLS = [
    message_start(),
    text(0, "Checking both."),
    block_stop(0),
    tool_start(1, "tooluse_a", "get_weather"),
    tool_input(1, '{"city": "Oslo", "units": '),
    tool_input(1, '"metric", "days": [1, 2]}'),
    block_stop(1),
    tool_start(2, "tooluse_b", "get_time"),
    tool_input(2, '{"zone": "Europe/Rome"'),
    tool_input(2, ', "note": "caf\\u00e9 {ok}"}'),
    block_stop(2),
    message_stop("tool_use"),
    metadata(55, 80, 410),
]

OUT_OF_ORDER = [
    message_start(),
    tool_start(1, "tooluse_z", "lookup"),
    tool_input(1, '{"q": "x"}'),
    block_stop(1),
    text(0, "Found it."),
    block_stop(0),
    message_stop("tool_use"),
    metadata(),
]

REASONING = [
    message_start(),
    reasoning(0, "The user wants "),
    reasoning(0, "a number."),
    reasoning(0, signature="sig-abc123"),
    block_stop(0),
    text(1, "42"),
    block_stop(1),
    message_stop("end_turn"),
    metadata(),
]

EMPTY_TOOL_INPUT = [
    message_start(),
    tool_start(0, "tooluse_now", "get_time"),
    block_stop(0),
    message_stop("tool_use"),
    metadata(),
]

GOLDEN = {
    "text-only": (TEXT_ONLY, response([{"text": "The capital of France is Paris."}])),
    "interleaved": (
        INTERLEAVED,
        response(
            [
                {"text": "Let me check the weather."},
                tool_block("tooluse_w1", "get_weather", {"city": "Paris"}),
            ],
            "tool_use",
            40,
            22,
            310,
        ),
    ),
    "two-tools": (
        TWO_TOOLS,
        response(
            [
                {"text": "Checking both."},
                tool_block(
                    "tooluse_a",
                    "get_weather",
                    {"city": "Oslo", "units": "metric", "days": [1, 2]},
                ),
                tool_block(
                    "tooluse_b",
                    "get_time",
                    {"zone": "Europe/Rome", "note": "café {ok}"},
                ),
            ],
            "tool_use",
            55,
            80,
            410,
        ),
    ),
    "out-of-order": (
        OUT_OF_ORDER,
        response(
            [{"text": "Found it."}, tool_block("tooluse_z", "lookup", {"q": "x"})],
            "tool_use",
        ),
    ),
    "reasoning": (
        REASONING,
        response(
            [
                {
                    "reasoningContent": {
                        "reasoningText": {
                            "text": "The user wants a number.",
                            "signature": "sig-abc123",
                        }
                    }
                },
                {"text": "42"},
            ]
        ),
    ),
    "empty-tool-input": (
        EMPTY_TOOL_INPUT,
        response([tool_block("tooluse_now", "get_time", {})], "tool_use"),
    ),
}

HINTS = {
    "text-only": "join a text block's deltas in arrival order",
    "interleaved": "key blocks by contentBlockIndex; parse a tool's input once, at "
    "its contentBlockStop, from all its fragments joined",
    "two-tools": "each tool block has its own id, name and input",
    "out-of-order": "content is in contentBlockIndex order, whatever the arrival order",
    "reasoning": "reasoning deltas build a reasoningContent block with its signature",
    "empty-tool-input": "a tool block with no input fragments has input {}",
}


def expect_response(actual, expected, what, hint=""):
    assert isinstance(
        actual, dict
    ), f"{what} should be a dict, got {type(actual).__name__}"
    if actual == expected:
        return
    parts = [
        k
        for k in ("output", "stopReason", "usage", "metrics")
        if actual.get(k) != expected.get(k)
    ]
    extra = sorted(set(actual) - set(expected))
    where = ", ".join(parts) if parts else f"unexpected keys {extra}"
    raise AssertionError(
        f"{what} differs from the contract in: {where}. {hint}".rstrip(". ")
    )


# -- shape ---------------------------------------------------------------------------


@pytest.mark.points(10)
@pytest.mark.category("api")
@pytest.mark.parametrize("name", ["text-only", "two-tools", "reasoning"])
def test_result_validates_against_converse_output(submission, name):
    """The result validates against bedrock-runtime's Converse output"""
    actual = submission.assemble(GOLDEN[name][0])
    assert isinstance(
        actual, dict
    ), f"assemble should return a dict, got {type(actual).__name__}"
    report = ParamValidator().validate(actual, CONVERSE_OUTPUT)
    assert not report.has_errors(), (
        "the result does not validate against the Converse response shape: "
        + "; ".join(report.generate_report().splitlines()[:4])
    )


# -- assembling ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("text-only", marks=pytest.mark.points(20)),
        pytest.param("interleaved", marks=pytest.mark.points(25)),
        pytest.param("two-tools", marks=pytest.mark.points(15)),
        pytest.param("out-of-order", marks=pytest.mark.points(15)),
        pytest.param("reasoning", marks=pytest.mark.points(12)),
        pytest.param("empty-tool-input", marks=pytest.mark.points(8)),
    ],
)
def test_assemble_golden(submission, name):
    """assemble rebuilds the response a non-streaming call returns"""
    events, expected = GOLDEN[name]
    expect_response(
        submission.assemble(events), expected, "the assembled response", HINTS[name]
    )


@pytest.mark.points(10)
def test_assemble_copies_usage_and_metrics(submission):
    """usage, metrics and stopReason come from the stream's last events"""
    events = TEXT_ONLY[:-2] + [message_stop("max_tokens"), metadata(1000, 4096, 9876)]
    actual = submission.assemble(events)
    expected = response(
        [{"text": "The capital of France is Paris."}], "max_tokens", 1000, 4096, 9876
    )
    expect_response(actual, expected, "the assembled response")


@pytest.mark.points(5)
def test_assemble_additional_fields(submission):
    """additionalModelResponseFields is copied when messageStop has it"""
    extra = {"stop_sequence": "\n\nHuman:", "trace_id": 7}
    events = TEXT_ONLY[:-2] + [
        message_stop("stop_sequence", additionalModelResponseFields=extra),
        metadata(),
    ]
    actual = submission.assemble(events)
    expected = response([{"text": "The capital of France is Paris."}], "stop_sequence")
    expected["additionalModelResponseFields"] = extra
    expect_response(actual, expected, "the assembled response with additional fields")


@pytest.mark.points(5)
@pytest.mark.category("api")
def test_assemble_leaves_events(submission, worker):
    """assemble does not modify the events it reads"""
    call = worker.import_module("functools").partial(submission.assemble, TWO_TOOLS)
    call()
    assert call.args[0] == TWO_TOOLS, "assemble changed the events it was given"


# -- broken streams ------------------------------------------------------------------


def expect_stream_error(submission, events, hint=""):
    with pytest.raises(RuntimeError) as error:
        submission.assemble(events)
    name = getattr(error.value, "type_name", type(error.value).__name__)
    assert (
        name == "StreamError"
    ), f"a broken stream should raise StreamError, got {name}. {hint}"
    return error.value


@pytest.mark.points(4)
@pytest.mark.parametrize(
    "name",
    [
        "internalServerException",
        "modelStreamErrorException",
        "validationException",
        "throttlingException",
        "serviceUnavailableException",
    ],
)
def test_exception_event_mid_stream(submission, name):
    """An exception event raises StreamError naming it, with no partial result"""
    events = INTERLEAVED[:5] + [{name: {"message": "stream broke"}}] + INTERLEAVED[5:]
    error = expect_stream_error(submission, events)
    assert name in str(error), "the StreamError message should name the exception event"


@pytest.mark.parametrize(
    "events, hint",
    [
        pytest.param(
            TEXT_ONLY[:4] + TEXT_ONLY[5:],
            "every block needs its contentBlockStop",
            id="missing-block-stop",
            marks=pytest.mark.points(10),
        ),
        pytest.param(
            INTERLEAVED[:2]
            + [
                tool_start(1, "t", "f"),
                tool_input(1, '{"a": 1}'),
                tool_input(1, '{"a": 1, "b": 2}'),
            ]
            + [block_stop(0), block_stop(1), message_stop("tool_use"), metadata()],
            "growing snapshots joined together are not one JSON value",
            id="trailing-json",
            marks=pytest.mark.points(12),
        ),
        pytest.param(
            [message_start(), tool_start(0, "t", "f"), tool_input(0, '{"city": "Par')]
            + [block_stop(0), message_stop("tool_use"), metadata()],
            "a tool input that is not valid JSON breaks the stream",
            id="truncated-json",
            marks=pytest.mark.points(10),
        ),
        pytest.param(
            TEXT_ONLY[:5] + [text(0, " More.")] + TEXT_ONLY[5:],
            "a block takes no deltas after its stop",
            id="delta-after-stop",
            marks=pytest.mark.points(8),
        ),
        pytest.param(
            TEXT_ONLY[1:],
            "a stream starts with messageStart",
            id="no-message-start",
            marks=pytest.mark.points(4),
        ),
        pytest.param(
            TEXT_ONLY[:5] + TEXT_ONLY[6:],
            "a stream has a messageStop",
            id="no-message-stop",
            marks=pytest.mark.points(4),
        ),
        pytest.param(
            TEXT_ONLY[:-1] + [metadata(10, 20, total=31)],
            "totalTokens must be inputTokens + outputTokens",
            id="usage-mismatch",
            marks=pytest.mark.points(7),
        ),
        pytest.param(
            [message_start(), tool_start(0, "t", "f"), text(0, "oops"), block_stop(0)]
            + [message_stop("tool_use"), metadata()],
            "a delta's kind must match its block's kind",
            id="text-into-tool-block",
            marks=pytest.mark.points(5),
        ),
    ],
)
def test_broken_stream_raises(submission, events, hint):
    """A broken stream raises StreamError"""
    expect_stream_error(submission, events, hint)


# -- iter_text -----------------------------------------------------------------------


@pytest.mark.points(15)
def test_iter_text_yields_text_deltas(submission):
    """iter_text yields the text deltas in arrival order, nothing else"""
    chunks = list(submission.iter_text(INTERLEAVED + []))
    assert chunks == [
        "Let me check ",
        "the weather.",
    ], "iter_text should yield each text delta as it arrives, and no tool input"
    chunks = list(submission.iter_text(REASONING))
    assert chunks == ["42"], "iter_text should not yield reasoning text"


def failing_stream(worker, events):
    """A stream in the worker that raises ValueError once events are used up."""
    builtins = worker.import_module("builtins")
    itertools = worker.import_module("itertools")
    return itertools.chain(events, builtins.map(builtins.int, ["not an event"]))


@pytest.mark.points(15)
def test_iter_text_is_lazy(submission, worker):
    """iter_text yields text before the stream has ended"""
    generator = submission.iter_text(failing_stream(worker, TEXT_ONLY[:3]))
    first = next(iter(generator), None)
    assert first == "The capital", (
        "iter_text should yield the first text delta as soon as its event "
        "arrives, without reading the whole stream first"
    )


@pytest.mark.points(10)
def test_iter_text_raises_on_exception_event(submission):
    """iter_text yields what came before an exception event, then raises"""
    events = TEXT_ONLY[:3] + [{"throttlingException": {"message": "slow down"}}]
    seen = []
    with pytest.raises(RuntimeError) as error:
        for chunk in submission.iter_text(events):
            seen.append(chunk)
    name = getattr(error.value, "type_name", type(error.value).__name__)
    assert name == "StreamError", f"iter_text should raise StreamError, got {name}"
    assert seen == [
        "The capital",
        " of France",
    ], "iter_text should yield the text that arrived before the exception event"


# -- large streams -------------------------------------------------------------------


def repeated_stream(worker, head, repeated, count, tail):
    """head + [repeated] * count + tail, built in the worker (no big transfer)."""
    itertools = worker.import_module("itertools")
    return itertools.chain(head, itertools.repeat(repeated, count), tail)


@pytest.mark.points(20)
@pytest.mark.category("numerics")
def test_large_text_stream_linear(submission, worker):
    """A million text deltas assemble in linear time"""
    stream = repeated_stream(
        worker,
        [message_start()],
        text(0, "ab"),
        TEXT_DELTAS,
        [block_stop(0), message_stop(), metadata()],
    )
    start = time.perf_counter()
    actual = submission.assemble(stream)
    elapsed = time.perf_counter() - start
    content = actual["output"]["message"]["content"]
    assert content == [
        {"text": "ab" * TEXT_DELTAS}
    ], "the large text block is not assembled correctly"
    assert elapsed < LARGE_STREAM_WALL_S, (
        f"assembling {TEXT_DELTAS} deltas took {elapsed:.1f} s; collect the pieces "
        "in a list and join once instead of growing a string per delta"
    )


@pytest.mark.points(15)
@pytest.mark.category("numerics")
def test_large_tool_stream_linear(submission, worker):
    """50k tool-input fragments assemble in linear time"""
    head = [
        message_start(),
        tool_start(0, "tooluse_big", "store"),
        tool_input(0, '{"data": "'),
    ]
    tail = [tool_input(0, '"}'), block_stop(0), message_stop("tool_use"), metadata()]
    stream = repeated_stream(worker, head, tool_input(0, "xyz"), TOOL_FRAGMENTS, tail)
    start = time.perf_counter()
    actual = submission.assemble(stream)
    elapsed = time.perf_counter() - start
    content = actual["output"]["message"]["content"]
    expected = [tool_block("tooluse_big", "store", {"data": "xyz" * TOOL_FRAGMENTS})]
    assert content == expected, "the large tool input is not assembled correctly"
    assert elapsed < LARGE_STREAM_WALL_S, (
        f"assembling {TOOL_FRAGMENTS} fragments took {elapsed:.1f} s; join the "
        "fragments once, at the block's stop"
    )
