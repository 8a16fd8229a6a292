"""The judge-worker wire: framed messages in a whitelisted binary encoding.

Nothing is pickled. A frame is a 4-byte big-endian length and a payload; the
payload is one value built from the tags below. Data crosses by value (numbers,
strings, bytes, containers, numpy arrays, torch tensors, decimals); anything
else stays in the worker and crosses as a `Handle` naming it. The decoder
trusts nothing: every length, dtype, shape and nesting depth is checked before
memory is touched, and any violation raises `WireError`.

This module runs in the worker too, so it imports numpy and torch lazily and
depends on nothing else of the project.
"""

from __future__ import annotations

import decimal
import struct
import sys
from dataclasses import dataclass

MAX_FRAME = 512 * 1024 * 1024
_SEPARATE = 64 * 1024  # pieces this large are sent from where they lie
_ALIGN = 8  # array bytes start at a multiple of this within a frame
_IOV_MAX = 512
MAX_DEPTH = 64
MAX_ITEMS = 10_000_000
MAX_NDIM = 32
MAX_INT_DIGITS = 10_000  # decimals
MAX_INT_BYTES = 64 * 1024  # integers: about 158,000 decimal digits
MAX_REPR = 200

_U8 = struct.Struct(">B")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_I64 = struct.Struct(">q")
_F64 = struct.Struct(">d")

# dtype codes shared by numpy arrays and torch tensors; names are numpy's except
# bfloat16, which only torch has and which travels as raw 16-bit words.
DTYPES = (
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "bfloat16",
)
_DTYPE_CODE = {name: i for i, name in enumerate(DTYPES)}
_ITEMSIZE = {
    "bool": 1,
    "uint8": 1,
    "int8": 1,
    "int16": 2,
    "int32": 4,
    "int64": 8,
    "uint16": 2,
    "uint32": 4,
    "uint64": 8,
    "float16": 2,
    "float32": 4,
    "float64": 8,
    "complex64": 8,
    "complex128": 16,
    "bfloat16": 2,
}


class WireError(Exception):
    """A message that breaks the wire's rules; the connection is not trusted after it."""


@dataclass(frozen=True)
class Handle:
    """A reference to an object that lives in the worker."""

    id: int
    type_name: str = ""
    repr: str = ""


def _torch():
    return sys.modules.get("torch")


def _numpy():
    return sys.modules.get("numpy")


class Encoder:
    """Turns a value into bytes; `to_handle` decides what happens to other objects."""

    def __init__(self, to_handle=None):
        self._to_handle = to_handle
        self._parts: list = []
        self._small = bytearray()
        self._size = 0

    def encode(self, value) -> bytes:
        return b"".join(self.encode_parts(value))

    def encode_parts(self, value) -> list:
        """The encoding as a list of buffers, for `write_frame` to send as they are.

        Small pieces are gathered into one buffer; an array's or a tensor's
        bytes stay a view of its memory, so a large tensor is not copied here.
        """
        self._parts, self._small, self._size = [], bytearray(), 0
        try:
            self._value(value, 0)
            if self._small:
                self._parts.append(self._small)
            return self._parts
        finally:
            self._parts, self._small = [], bytearray()

    def _put(self, *parts) -> None:
        for part in parts:
            if len(part) >= _SEPARATE:
                if self._small:
                    self._parts.append(self._small)
                    self._small = bytearray()
                self._parts.append(part)
            else:
                self._small += part
            self._size += len(part)

    def _raw(self, raw) -> None:
        """An array's bytes, preceded by its length and padding to an 8-byte offset
        (so the receiver can use them in place)."""
        pad = -(self._size + _U64.size + 1) % _ALIGN
        self._put(_U64.pack(len(raw)), _U8.pack(pad), bytes(pad))
        if len(raw):
            self._put(raw)

    def _str(self, tag: bytes, text: str) -> None:
        raw = text.encode("utf-8", "surrogatepass")
        self._put(tag, _U32.pack(len(raw)), raw)

    def _value(self, value, depth: int) -> None:  # noqa: C901 - one dispatch table
        if depth > MAX_DEPTH:
            raise WireError(f"value nested deeper than {MAX_DEPTH} levels")
        kind = type(value)
        if value is None:
            self._put(b"N")
        elif kind is bool:
            self._put(b"T" if value else b"F")
        elif kind is int:
            self._int(value)
        elif kind is float:
            self._put(b"f", _F64.pack(value))
        elif kind is complex:
            self._put(b"c", _F64.pack(value.real), _F64.pack(value.imag))
        elif kind is str:
            self._str(b"s", value)
        elif kind in (bytes, bytearray, memoryview):
            raw = bytes(value)
            self._put(b"b", _U32.pack(len(raw)), raw)
        elif kind is decimal.Decimal:
            self._str(b"D", str(value))
        elif kind is slice:
            self._put(b"L")
            for part in (value.start, value.stop, value.step):
                self._value(part, depth + 1)
        elif value is Ellipsis:
            self._put(b"e")
        elif kind is Handle:
            self._put(b"h", _U64.pack(value.id))
            self._str(b"s", value.type_name)
            self._str(b"s", value.repr[:MAX_REPR])
        elif kind in _SEQUENCE_TAGS:
            self._put(_SEQUENCE_TAGS[kind], _U32.pack(len(value)))
            for item in value:
                self._value(item, depth + 1)
        elif isinstance(value, dict):
            self._put(b"d", _U32.pack(len(value)))
            for key, item in value.items():
                self._value(key, depth + 1)
                self._value(item, depth + 1)
        else:
            self._other(value, depth)

    def _int(self, value: int) -> None:
        if -(2**63) <= value < 2**63:
            self._put(b"i", _I64.pack(value))
        else:  # two's complement, big-endian: no int-to-str digit limit
            raw = value.to_bytes((value.bit_length() + 8) // 8, "big", signed=True)
            self._put(b"I", _U32.pack(len(raw)), raw)

    def _other(self, value, depth: int) -> None:
        torch = _torch()
        np = _numpy()
        if torch is not None and _is_exact_tensor(torch, value):
            self._tensor(torch, value)
        elif torch is not None and isinstance(value, torch.dtype):
            self._str(b"y", str(value).removeprefix("torch."))
        elif torch is not None and isinstance(value, torch.Size):
            self._value(tuple(int(d) for d in value), depth)
        elif np is not None and type(value) is np.ndarray:
            self._array(np, value, b"a")
        elif np is not None and isinstance(value, np.generic) and _np_name(value.dtype):
            self._array(np, np.asarray(value), b"g")
        elif np is not None and isinstance(value, np.dtype) and _np_name(value):
            self._str(b"Y", _np_name(value))
        elif isinstance(value, tuple):  # named tuples travel as plain tuples
            self._value(tuple(value), depth)
        elif self._to_handle is not None:
            self._value(self._to_handle(value), depth)
        else:
            raise WireError(f"cannot send a {type(value).__name__} by value")

    def _array(self, np, array, tag: bytes) -> None:
        name = _np_name(array.dtype)
        if name is None:
            raise WireError(f"numpy dtype {array.dtype} cannot cross the wire")
        if not array.flags.c_contiguous:
            array = array.copy(order="C")
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
        self._shape(tag, name, array.shape)
        self._raw(memoryview(array).cast("B") if array.size else b"")

    def _tensor(self, torch, tensor) -> None:
        name = str(tensor.dtype).removeprefix("torch.")
        if name not in _DTYPE_CODE:
            raise WireError(f"torch dtype {tensor.dtype} cannot cross the wire")
        data = tensor.detach()
        if data.device.type != "cpu":
            data = data.cpu()
        if data.is_conj():
            data = data.resolve_conj()
        if data.is_neg():
            data = data.resolve_neg()
        data = data.contiguous()
        self._shape(b"x", name, tuple(data.shape))
        self._put(b"\x01" if tensor.requires_grad else b"\x00")
        if name == "bfloat16":
            data = data.view(torch.int16)
        self._raw(memoryview(data.numpy()).cast("B") if data.numel() else b"")

    def _shape(self, tag: bytes, dtype: str, shape) -> None:
        if len(shape) > MAX_NDIM:
            raise WireError(f"arrays of more than {MAX_NDIM} dimensions cannot cross")
        self._put(tag, _U8.pack(_DTYPE_CODE[dtype]), _U8.pack(len(shape)))
        self._put(*(_U64.pack(int(d)) for d in shape))


_SEQUENCE_TAGS = {list: b"l", tuple: b"t", set: b"S", frozenset: b"S"}


def _is_exact_tensor(torch, value) -> bool:
    # Subclasses (Parameter included) travel as plain tensors; their behaviour
    # stays behind, only their numbers cross.
    return isinstance(value, torch.Tensor) and not value.is_sparse


def _np_name(dtype) -> str | None:
    name = getattr(dtype, "name", None)
    return name if name in _DTYPE_CODE and name != "bfloat16" else None


class Decoder:
    """Turns bytes back into a value; `from_handle` maps a handle tag to an object."""

    def __init__(self, from_handle=None):
        self._from_handle = from_handle

    def decode(self, data):
        self._data = memoryview(data).cast("B")
        self._pos = 0
        self._items = 0
        value = self._value(0)
        if self._pos != len(self._data):
            raise WireError("trailing bytes after the value")
        return value

    def _take(self, n: int) -> memoryview:
        if n < 0 or self._pos + n > len(self._data):
            raise WireError("message ends early")
        chunk = self._data[self._pos : self._pos + n]
        self._pos += n
        return chunk

    def _u8(self) -> int:
        return _U8.unpack(self._take(1))[0]

    def _u32(self) -> int:
        return _U32.unpack(self._take(4))[0]

    def _u64(self) -> int:
        return _U64.unpack(self._take(8))[0]

    def _text(self) -> str:
        try:
            return bytes(self._take(self._u32())).decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise WireError("a string is not valid UTF-8") from exc

    def _count(self) -> int:
        n = self._u32()
        self._items += n
        if self._items > MAX_ITEMS or n > len(self._data) - self._pos:
            raise WireError("container larger than the message allows")
        return n

    def _value(self, depth: int):  # noqa: C901 - one dispatch table
        if depth > MAX_DEPTH:
            raise WireError(f"value nested deeper than {MAX_DEPTH} levels")
        tag = bytes(self._take(1))
        if tag == b"N":
            return None
        if tag in (b"T", b"F"):
            return tag == b"T"
        if tag == b"i":
            return _I64.unpack(self._take(8))[0]
        if tag == b"I":
            return self._bigint()
        if tag == b"f":
            return _F64.unpack(self._take(8))[0]
        if tag == b"c":
            return complex(_F64.unpack(self._take(8))[0], _F64.unpack(self._take(8))[0])
        if tag == b"s":
            return self._text()
        if tag == b"b":
            return bytes(self._take(self._u32()))
        if tag == b"D":
            return self._decimal()
        if tag == b"e":
            return Ellipsis
        if tag == b"L":
            return slice(*(self._scalar_or_none(depth) for _ in range(3)))
        if tag in (b"l", b"t", b"S"):
            items = [self._value(depth + 1) for _ in range(self._count())]
            if tag == b"S":
                return self._set(items)
            return items if tag == b"l" else tuple(items)
        if tag == b"d":
            return self._dict(depth)
        if tag == b"h":
            return self._handle()
        if tag in (b"a", b"g"):
            return self._array(scalar=tag == b"g")
        if tag == b"x":
            return self._tensor()
        if tag == b"y":
            return self._torch_dtype()
        if tag == b"Y":
            return self._numpy_dtype()
        raise WireError(f"unknown tag {tag!r}")

    def _bigint(self) -> int:
        size = self._u32()
        if size > MAX_INT_BYTES:
            raise WireError(f"integer larger than {MAX_INT_BYTES} bytes")
        return int.from_bytes(self._take(size), "big", signed=True)

    def _decimal(self) -> decimal.Decimal:
        text = self._text()
        if len(text) > MAX_INT_DIGITS:
            raise WireError("decimal too long")
        try:
            return decimal.Decimal(text)
        except decimal.InvalidOperation as exc:
            raise WireError("malformed decimal") from exc

    def _scalar_or_none(self, depth: int):
        value = self._value(depth + 1)
        if value is not None and type(value) is not int:
            raise WireError("slice bounds must be integers or None")
        return value

    def _set(self, items: list):
        try:
            return set(items)
        except TypeError as exc:
            raise WireError("a set holds an unhashable item") from exc

    def _dict(self, depth: int) -> dict:
        out = {}
        for _ in range(self._count()):
            key = self._value(depth + 1)
            try:
                out[key] = self._value(depth + 1)
            except TypeError as exc:
                raise WireError("a dict key is unhashable") from exc
        return out

    def _handle(self):
        handle_id = self._u64()
        if bytes(self._take(1)) != b"s":
            raise WireError("malformed handle")
        type_name = self._text()
        if bytes(self._take(1)) != b"s":
            raise WireError("malformed handle")
        handle = Handle(handle_id, type_name, self._text()[:MAX_REPR])
        return self._from_handle(handle) if self._from_handle else handle

    def _header(self):
        code = self._u8()
        if code >= len(DTYPES):
            raise WireError(f"unknown dtype code {code}")
        ndim = self._u8()
        if ndim > MAX_NDIM:
            raise WireError("too many dimensions")
        shape = tuple(self._u64() for _ in range(ndim))
        return DTYPES[code], shape

    def _payload(self, dtype: str, shape: tuple, extra: int = 0) -> memoryview:
        count = 1
        for dim in shape:
            count *= dim
            if count * _ITEMSIZE[dtype] > MAX_FRAME:
                raise WireError("array larger than a frame")
        if extra:
            self._take(extra)
        nbytes = self._u64()
        if nbytes != count * _ITEMSIZE[dtype]:
            raise WireError("array byte count does not match its shape")
        pad = self._u8()
        if pad >= _ALIGN:
            raise WireError("malformed array padding")
        self._take(pad)
        return self._take(nbytes)

    def _array(self, scalar: bool):
        np = _import("numpy")
        dtype, shape = self._header()
        if dtype == "bfloat16":
            raise WireError("numpy arrays cannot be bfloat16")
        raw = self._payload(dtype, shape)
        array = _in_place(np, raw, np.dtype(dtype)).reshape(shape)
        if scalar:
            if shape:
                raise WireError("a numpy scalar must have no dimensions")
            return array[()]
        return array

    def _tensor(self):
        torch = _import("torch")
        np = _import("numpy")
        dtype, shape = self._header()
        grad_flag = bytes(self._take(1))
        if grad_flag not in (b"\x00", b"\x01"):
            raise WireError("malformed requires_grad flag")
        raw = self._payload(dtype, shape)
        storage = "int16" if dtype == "bfloat16" else dtype
        array = _in_place(np, raw, np.dtype(storage)).reshape(shape)
        tensor = torch.from_numpy(array)
        if dtype == "bfloat16":
            tensor = tensor.view(torch.bfloat16)
        if grad_flag == b"\x01" and (tensor.is_floating_point() or tensor.is_complex()):
            tensor.requires_grad_(True)
        return tensor

    def _torch_dtype(self):
        torch = _import("torch")
        name = self._text()
        if name not in _DTYPE_CODE:
            raise WireError(f"unknown torch dtype {name!r}")
        return getattr(torch, name)

    def _numpy_dtype(self):
        np = _import("numpy")
        name = self._text()
        if name not in _DTYPE_CODE or name == "bfloat16":
            raise WireError(f"unknown numpy dtype {name!r}")
        return np.dtype(name)


def _in_place(np, raw: memoryview, dtype):
    """An array over the frame's own bytes where that saves a large copy (a
    received frame is private and writable), else a copy: a small array never
    keeps a whole frame alive."""
    array = np.frombuffer(raw, dtype=dtype.newbyteorder("<"))
    if (raw.readonly or len(raw) < _SEPARATE or not array.flags.aligned
            or not array.dtype.isnative):
        array = array.astype(dtype, copy=True)
    return array


def _import(name: str):
    module = sys.modules.get(name)
    if module is None:
        module = __import__(name)
    return module


def write_frame(sock, payload) -> None:
    """Send one frame: bytes, or the buffers of `Encoder.encode_parts`, gathered
    by the kernel (no copy of a large tensor in this process)."""
    parts = [payload] if isinstance(payload, (bytes, bytearray, memoryview)) else payload
    size = sum(len(part) for part in parts)
    if size > MAX_FRAME:
        raise WireError(f"message of {size} bytes exceeds the frame limit")
    header = _U32.pack(size)
    if len(parts) == 1 and size < _SEPARATE:
        sock.sendall(header + parts[0])
        return
    views = [memoryview(header), *(memoryview(p).cast("B") for p in parts if len(p))]
    first = 0
    while first < len(views):
        sent = sock.sendmsg(views[first : first + _IOV_MAX])
        while first < len(views) and sent >= len(views[first]):
            sent -= len(views[first])
            first += 1
        if sent:
            views[first] = views[first][sent:]


def read_frame(sock) -> bytes:
    """Read one frame; raises EOFError when the peer has gone."""
    size = _U32.unpack(read_exact(sock, 4))[0]
    if size > MAX_FRAME:
        raise WireError(f"frame of {size} bytes exceeds the limit")
    return read_exact(sock, size)


def read_exact(sock, n: int) -> bytes:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        chunk = sock.recv_into(view[got:], n - got)
        if chunk == 0:
            raise EOFError("the peer closed the connection")
        got += chunk
    return buf
