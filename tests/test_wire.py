"""The wire: values round-trip exactly, and no byte string crashes the decoder."""

from __future__ import annotations

import decimal
import struct

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.wire import Decoder, Encoder, Handle, WireError


def roundtrip(value):
    return Decoder().decode(Encoder().encode(value))


@pytest.mark.parametrize(
    "value",
    [
        None, True, False, 0, -(2**63), 2**63 - 1, 2**200, -(2**90), 10**5000, -(7**9000),
        1.5, float("inf"),
        3 + 4j, "", "héllo ✓", b"\x00\xff", [1, [2, (3, None)]], (), {"a": 1, 2: [3]},
        {(1, 2): "tuple key"}, {1, 2, 3}, decimal.Decimal("0.1000000000000000000001"),
        slice(1, None, 2), Ellipsis,
    ],
    ids=lambda value: type(value).__name__,
)
def test_plain_values_round_trip(value):
    back = roundtrip(value)
    assert back == value and type(back) is type(value)


@pytest.mark.parametrize(
    "dtype",
    [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
     torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64,
     torch.complex128],
    ids=str,
)
def test_tensors_round_trip_bit_exactly(dtype):
    source = (torch.randn(3, 4, 5, dtype=torch.float64) * 100).to(dtype)
    back = roundtrip(source)
    assert back.dtype == dtype and back.shape == source.shape
    assert torch.equal(back, source)


def test_tensor_metadata_and_views_survive():
    base = torch.randn(4, 6, dtype=torch.float64)
    view = base.t()[1:3]  # non-contiguous
    back = roundtrip({"view": view, "grad": base.clone().requires_grad_(True),
                      "empty": torch.zeros(0, 3), "scalar": torch.tensor(2.5)})
    assert torch.equal(back["view"], view)
    assert back["grad"].requires_grad and back["grad"].is_leaf
    assert back["empty"].shape == (0, 3) and back["scalar"].shape == ()
    param = torch.nn.Parameter(torch.ones(2))
    assert type(roundtrip(param)) is torch.Tensor  # subclasses cross as plain tensors


@pytest.mark.parametrize("dtype", ["bool", "int32", "uint64", "float16", "float64",
                                   "complex128"])
def test_numpy_arrays_and_scalars_round_trip(dtype):
    array = (np.arange(24).reshape(2, 3, 4) % 5).astype(dtype)
    back = roundtrip(array)
    assert back.dtype == array.dtype and np.array_equal(back, array)
    scalar = array.flat[3]
    assert type(roundtrip(scalar)) is type(scalar)
    assert roundtrip(np.dtype(dtype)) == np.dtype(dtype)


def test_big_endian_arrays_arrive_as_native():
    array = np.arange(5, dtype=">f8")
    assert np.array_equal(roundtrip(array), array)


def test_objects_cross_only_as_handles():
    handles = []
    encoder = Encoder(lambda obj: handles.append(obj) or Handle(7, "Thing", "<thing>"))
    value = Decoder().decode(encoder.encode([object()]))
    assert value == [Handle(7, "Thing", "<thing>")] and len(handles) == 1
    with pytest.raises(WireError):
        Encoder().encode(object())
    with pytest.raises(WireError):
        Encoder().encode(np.array([object()]))


@pytest.mark.parametrize(
    "payload, reason",
    [
        (b"", "ends early"),
        (b"Z", "unknown tag"),
        (b"s" + struct.pack(">I", 10) + b"abc", "ends early"),
        (b"l" + struct.pack(">I", 2**31), "larger than"),
        (b"a" + bytes([11, 1]) + struct.pack(">Q", 3) + struct.pack(">Q", 23) + b"x" * 23,
         "does not match"),
        (b"a" + bytes([11, 1]) + struct.pack(">Q", 3) + struct.pack(">Q", 24) + bytes([8])
         + b"x" * 32, "padding"),
        (b"a" + bytes([99, 0]), "unknown dtype"),
        (b"NN", "trailing"),
        (b"I" + struct.pack(">I", 2**20) + b"\x01", "larger than"),
        (b"d" + struct.pack(">I", 1) + b"l" + struct.pack(">I", 0) + b"N", "unhashable"),
    ],
)
def test_malformed_messages_are_refused(payload, reason):
    with pytest.raises(WireError, match=reason):
        Decoder().decode(payload)


def test_deep_nesting_is_refused():
    with pytest.raises(WireError, match="nested"):
        Decoder().decode(b"l\x00\x00\x00\x01" * 200 + b"N")


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200))
def test_decoder_never_crashes_on_random_bytes(data):
    try:
        Decoder().decode(data)
    except WireError:
        pass


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20) | st.binary(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4)
    | st.tuples(children, children),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_like)
def test_generated_values_round_trip(value):
    assert roundtrip(value) == value


@settings(max_examples=200, deadline=None)
@given(json_like, st.integers(min_value=0, max_value=10_000), st.integers(0, 255))
def test_flipped_bytes_are_refused_or_decoded(value, position, byte):
    data = bytearray(Encoder().encode(value))
    if data:
        data[position % len(data)] = byte
    try:
        Decoder().decode(bytes(data))
    except WireError:
        pass


def test_frames_of_many_buffers_arrive_whole_and_in_order():
    """A message mixing big tensors and small values, larger than the socket's
    buffers: the gathered send delivers every byte in order."""
    import socket
    import threading

    from runner.sandbox import wire_pair
    from runner.wire import read_frame, write_frame

    big = torch.arange(3_000_000, dtype=torch.float32)  # 12 MB, beyond the 4 MB buffers
    message = {"a": big, "note": "between", "b": np.arange(70_000, dtype=np.int64),
               "small": torch.ones(3), "tail": [1, 2.5, "end"]}
    ours, theirs = wire_pair()
    received = []
    reader = threading.Thread(target=lambda: received.append(read_frame(theirs)))
    reader.start()
    write_frame(ours, Encoder().encode_parts(message))
    reader.join(timeout=30)
    ours.close()
    theirs.close()
    assert isinstance(ours, socket.socket) and received
    back = Decoder().decode(received[0])
    assert torch.equal(back["a"], big) and back["note"] == "between"
    assert np.array_equal(back["b"], message["b"]) and torch.equal(back["small"], torch.ones(3))
    assert back["tail"] == [1, 2.5, "end"]


def test_received_arrays_are_used_in_place_and_stay_independent():
    """Arrays decoded from a received (writable) frame share its memory without a
    copy; each is aligned, writable and separate from its neighbours."""
    big = 1 << 15  # 256 KB of float64: large enough to be used in place
    frame = bytearray(Encoder().encode([torch.arange(big, dtype=torch.float64),
                                        np.arange(big, dtype=np.int64), torch.ones(2)]))
    first, second, third = Decoder().decode(frame)
    assert first.data_ptr() % 8 == 0 and second.ctypes.data % 8 == 0
    buffer = np.frombuffer(frame, dtype=np.uint8)
    inside = buffer.ctypes.data <= first.data_ptr() < buffer.ctypes.data + len(frame)
    assert inside, "the tensor was used in place, not copied"
    first += 1
    second[0] = 99
    assert torch.equal(first, torch.arange(1, big + 1, dtype=torch.float64))
    assert second[:4].tolist() == [99, 1, 2, 3] and torch.equal(third, torch.ones(2))


def test_arrays_decoded_from_read_only_bytes_are_writable_copies():
    data = Encoder().encode(torch.zeros(3))
    tensor = Decoder().decode(data)
    tensor[0] = 1.0  # a copy: the bytes object is not touched
    assert tensor.tolist() == [1.0, 0.0, 0.0] and Decoder().decode(data).tolist() == [0.0] * 3
