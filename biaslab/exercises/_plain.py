"""Answers as plain data: what a kernel may hand to the grader, and how the grader reads it back.

A graded answer crosses from the student's kernel to the grader as JSON built only of numbers,
strings, lists and a few tagged containers (numpy arrays, pandas Series and DataFrames). The
grader never unpickles, imports or calls anything the student made: :func:`decode` rebuilds plain
``int``/``float``/``str``/``list``/``dict``/``ndarray``/``Series``/``DataFrame`` values, and an
object it cannot represent becomes an :class:`Opaque` placeholder that no check accepts. An
object that pretends to be a number (an ``__eq__`` that is always true, a float subclass) is
therefore either its plain value or refused.

A function answer is recorded as its outputs on the cases the grader chose, computed by
:func:`run_calls` in a short-lived child process (``fork``), so a slow, crashing or state-changing
function cannot hang or alter the kernel that records it.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import operator
import os
import select
import signal
import sys
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["Opaque", "Returned", "Raised", "encode", "decode", "DecodeError", "run_calls", "run_calls_raw", "decode_output", "RECORD_KEY",
           "MAX_ITEMS"]

#: the metadata key of a display output that carries a record
RECORD_KEY = "biaslab_record"
#: most scalar items one answer may hold (a 50,000 x 40 frame fits)
MAX_ITEMS = 2_000_000
_MAX_DEPTH = 8
_DTYPES = {"b": bool, "i": np.int64, "u": np.uint64, "f": np.float64}


class DecodeError(ValueError):
    """A record is not plain data the grader can read."""


@dataclass(frozen=True)
class Opaque:
    """Stands for an object that is not plain data (a model, a custom class): never a right answer."""

    type_name: str

    def __repr__(self) -> str:
        return f"<a {self.type_name} object>"


@dataclass(frozen=True)
class Returned:
    """A function's output on one case; ``changed`` names the arguments it changed in place
    (positions, or keyword names), which a check may call a mistake."""

    value: object
    changed: tuple = ()


@dataclass(frozen=True)
class Raised:
    """A function raised on one case (``name``: the exception's class name), or did not finish."""

    name: str
    message: str


# ----------------------------------------------------------------------------------- encoding

class _Budget:
    def __init__(self):
        self.left = MAX_ITEMS

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise DecodeError(f"the answer holds more than {MAX_ITEMS:,} values")


def _float(value) -> object:
    value = float.__float__(float(value))
    return value if math.isfinite(value) else repr(value)  # 'nan', 'inf', '-inf': JSON has no such numbers


def _encode_array(arr: np.ndarray, budget: _Budget) -> dict:
    arr = np.asarray(arr)
    budget.take(int(arr.size))
    kind = arr.dtype.kind
    if kind in "biu":
        return {"t": "ndarray", "k": kind, "shape": list(arr.shape), "v": arr.ravel().tolist()}
    if kind == "f":
        return {"t": "ndarray", "k": "f", "shape": list(arr.shape), "v": [_float(x) for x in arr.ravel().tolist()]}
    return {"t": "ndarray", "k": "O", "shape": list(arr.shape),
            "v": [_encode(x, budget, 1) for x in arr.ravel().tolist()]}


def _encode(obj, budget: _Budget, depth: int):
    if depth > _MAX_DEPTH:
        raise DecodeError("the answer is nested too deeply")
    if obj is None:
        return {"t": "none"}
    if obj is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(obj, (bool, np.bool_)):
        return {"t": "bool", "v": bool(obj)}
    if isinstance(obj, (numbers.Integral, np.integer)) and not isinstance(obj, bool):
        return {"t": "int", "v": int(operator.index(obj))}
    if isinstance(obj, (float, np.floating)):
        return {"t": "float", "v": _float(obj)}
    if isinstance(obj, (str, np.str_)):
        budget.take(1 + len(obj) // 64)
        return {"t": "str", "v": str.__str__(obj)}
    budget.take(1)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(obj, pd.Series):
        return {"t": "series", "name": _encode(obj.name, budget, depth + 1),
                "index": _encode_array(np.asarray(obj.index, dtype=object), budget),
                "v": _encode_array(obj.to_numpy(), budget)}
    if pd is not None and isinstance(obj, pd.DataFrame):
        return {"t": "frame", "columns": [_encode(c, budget, depth + 1) for c in obj.columns],
                "index": _encode_array(np.asarray(obj.index, dtype=object), budget),
                "v": [_encode_array(obj.iloc[:, j].to_numpy(), budget) for j in range(obj.shape[1])]}
    if isinstance(obj, np.ndarray):
        return _encode_array(obj, budget)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.Tensor):  # a torch tensor travels as its numpy array
        return _encode_array(obj.detach().cpu().numpy(), budget)
    if isinstance(obj, (list, tuple)):
        return {"t": "list" if isinstance(obj, list) else "tuple",
                "v": [_encode(x, budget, depth + 1) for x in obj]}
    if isinstance(obj, (set, frozenset)):
        return {"t": "set", "v": [_encode(x, budget, depth + 1) for x in obj]}
    if isinstance(obj, dict):
        return {"t": "dict", "v": [[_encode(k, budget, depth + 1), _encode(v, budget, depth + 1)]
                                   for k, v in obj.items()]}
    return {"t": "opaque", "type": type(obj).__name__[:80]}


def encode(obj) -> dict:
    """``obj`` as plain, JSON-serialisable data (see the module's docstring)."""
    try:
        return _encode(obj, _Budget(), 0)
    except DecodeError as exc:
        return {"t": "opaque", "type": f"answer too large or deep ({exc})"}
    except Exception:  # an object whose methods misbehave is not an answer
        return {"t": "opaque", "type": type(obj).__name__[:80]}


# ----------------------------------------------------------------------------------- decoding

def _need(cond: bool, what: str) -> None:
    if not cond:
        raise DecodeError(what)


def _decode_float(v) -> float:
    if isinstance(v, str):
        _need(v in ("nan", "inf", "-inf"), "a float is not a number")
        return float(v)
    _need(isinstance(v, (int, float)) and not isinstance(v, bool), "a float is not a number")
    return float(v)


def _decode_array(data, budget: _Budget) -> np.ndarray:
    _need(isinstance(data, dict) and data.get("t") == "ndarray", "an array is malformed")
    shape, values, kind = data.get("shape"), data.get("v"), data.get("k")
    _need(isinstance(shape, list) and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
          and len(shape) <= 8, "an array's shape is malformed")
    _need(isinstance(values, list) and len(values) == int(np.prod(shape, dtype=np.int64)),
          "an array's values do not match its shape")
    budget.take(len(values))
    if kind in ("b", "i", "u"):
        scalar = bool if kind == "b" else int
        _need(all(type(x) is scalar for x in values), "an array's values are not of its type")
        return np.array(values, dtype=_DTYPES[kind]).reshape(shape)
    if kind == "f":
        return np.array([_decode_float(x) for x in values], dtype=np.float64).reshape(shape)
    _need(kind == "O", "an array's type is unknown")
    out = np.empty(len(values), dtype=object)
    for i, x in enumerate(values):
        out[i] = _decode(x, budget, 1)
    return out.reshape(shape)


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        raise DecodeError("a dict key or index label is not hashable") from None
    return value


def _decode(data, budget: _Budget, depth: int):
    _need(depth <= _MAX_DEPTH + 1, "the answer is nested too deeply")
    _need(isinstance(data, dict) and isinstance(data.get("t"), str), "a value is malformed")
    t, v = data["t"], data.get("v")
    if t == "none":
        return None
    if t == "ellipsis":
        return Ellipsis
    if t == "bool":
        _need(type(v) is bool, "a bool is malformed")
        return v
    if t == "int":
        _need(type(v) is int, "an int is malformed")
        return v
    if t == "float":
        return _decode_float(v)
    if t == "str":
        _need(type(v) is str, "a str is malformed")
        return v
    if t == "opaque":
        name = data.get("type")
        return Opaque(name if isinstance(name, str) else "object")
    budget.take(1)
    if t in ("list", "tuple", "set"):
        _need(isinstance(v, list), f"a {t} is malformed")
        items = [_decode(x, budget, depth + 1) for x in v]
        if t == "set":
            return {_hashable(x) for x in items}
        return items if t == "list" else tuple(items)
    if t == "dict":
        _need(isinstance(v, list) and all(isinstance(p, list) and len(p) == 2 for p in v), "a dict is malformed")
        return {_hashable(_decode(k, budget, depth + 1)): _decode(x, budget, depth + 1) for k, x in v}
    if t == "ndarray":
        return _decode_array(data, budget)
    import pandas as pd

    if t == "series":
        index = [_hashable(x) for x in _decode_array(data.get("index"), budget).tolist()]
        values = _decode_array(v, budget)
        _need(values.ndim == 1 and len(values) == len(index), "a Series is malformed")
        name = _decode(data.get("name", {"t": "none"}), budget, depth + 1)
        return pd.Series(values, index=pd.Index(index, dtype=object) if index else None,
                         name=_hashable(name))
    if t == "frame":
        columns = data.get("columns")
        _need(isinstance(columns, list) and isinstance(v, list) and len(columns) == len(v), "a DataFrame is malformed")
        index = [_hashable(x) for x in _decode_array(data.get("index"), budget).tolist()]
        names = [_hashable(_decode(c, budget, depth + 1)) for c in columns]
        cols = [_decode_array(c, budget) for c in v]
        _need(all(c.ndim == 1 and len(c) == len(index) for c in cols), "a DataFrame's columns differ in length")
        frame = pd.DataFrame({i: c for i, c in enumerate(cols)}, index=pd.Index(index, dtype=object))
        frame.columns = names
        return frame
    raise DecodeError(f"unknown value type {t[:40]!r}")


def decode(data):
    """The plain Python value a record holds; :class:`DecodeError` if it is not such data."""
    try:
        return _decode(data, _Budget(), 0)
    except DecodeError:
        raise
    except (RecursionError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        raise DecodeError(f"the answer could not be read ({type(exc).__name__})") from None


def decode_output(data):
    """One recorded function output: :class:`Returned` or :class:`Raised`."""
    _need(isinstance(data, dict), "an output is malformed")
    if "raised" in data:
        name, message = data.get("raised"), data.get("message", "")
        _need(isinstance(name, str) and isinstance(message, str), "an output is malformed")
        return Raised(name[:80], message[:500])
    _need("ok" in data, "an output is malformed")
    changed = data.get("changed", [])
    _need(isinstance(changed, list) and len(changed) <= 50
          and all(isinstance(c, (int, str)) and not isinstance(c, bool) for c in changed), "an output is malformed")
    return Returned(decode(data["ok"]), tuple(changed))


# ------------------------------------------------------------------------ running a function

def _same(before, after) -> bool:
    """Whether an argument is as it was before the call (arrays and frames compared by value)."""
    try:
        if hasattr(before, "equals") and type(before) is type(after):  # pandas
            return bool(before.equals(after))
        if isinstance(before, np.ndarray):
            return isinstance(after, np.ndarray) and before.shape == after.shape and bool(
                np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
        if isinstance(before, (list, dict, set, tuple)):
            return bool(before == after)
    except Exception:  # noqa: BLE001 - a comparison that fails says nothing
        return True
    return True  # other objects (models): not compared


def _call_one(fn, args, kwargs) -> dict:
    import copy

    before = (args, kwargs)  # the case as the checker made it: the function gets a copy, so this stays
    try:
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    except Exception:  # pragma: no cover - our cases are plain data
        before = None  # the function works on the case itself: nothing to compare with
    try:
        out = {"ok": encode(fn(*args, **kwargs))}
    except BaseException as exc:  # noqa: BLE001 - the learner's code may raise anything, SystemExit included
        return {"raised": type(exc).__name__[:80], "message": str(exc)[:500]}
    if before is not None:
        changed = [i for i, (a, b) in enumerate(zip(before[0], args)) if not _same(a, b)]
        changed += [k for k in before[1] if not _same(before[1][k], kwargs[k])]
        if changed:
            out["changed"] = changed
    return out


def _run_in_process(fn, calls) -> list[dict]:
    return [json.loads(json.dumps(_call_one(fn, args, kwargs))) for args, kwargs in calls]


def _child(fn, calls, write_fd: int) -> None:  # pragma: no cover - runs in the forked child
    try:
        sys.stdout = sys.stderr = io.StringIO()  # the learner's prints stay in the child
        try:
            import threadpoolctl

            threadpoolctl.threadpool_limits(1)  # thread pools do not survive fork: stay on one thread
        except Exception:
            pass
        with os.fdopen(write_fd, "wb") as pipe:
            for args, kwargs in calls:
                pipe.write(json.dumps(_call_one(fn, args, kwargs)).encode() + b"\n")
                pipe.flush()
    finally:
        os._exit(0)


def run_calls(fn, calls, *, timeout: float = 60.0) -> list:
    """Call ``fn(*args, **kwargs)`` for each case; return one :class:`Returned`/:class:`Raised` per case.

    Each output goes through :func:`encode` and :func:`decode`, so the caller sees exactly what a
    grader would. Where ``fork`` exists (Linux, macOS) the calls run in a child process that is
    killed after ``timeout`` seconds in all; elsewhere they run in this process.
    """
    outputs = []
    raw = run_calls_raw(fn, calls, timeout=timeout)
    for item in raw:
        try:
            outputs.append(decode_output(item))
        except DecodeError as exc:
            outputs.append(Raised("DecodeError", str(exc)))
    return outputs


def run_calls_raw(fn, calls, *, timeout: float = 60.0) -> list[dict]:
    """:func:`run_calls` before decoding: one plain-data dict per case, as a record holds them."""
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}.")
    try:
        calls = [(tuple(args), dict(kwargs)) for args, kwargs in calls]
    except (TypeError, ValueError):
        raise TypeError("calls must be a list of (args, kwargs) pairs, e.g. [((1, 2), {})].") from None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    if not hasattr(os, "fork") or os.environ.get("BIASLAB_NO_FORK"):
        return _run_in_process(fn, calls)
    return _run_forked(fn, calls, timeout)


def _run_forked(fn, calls, timeout: float) -> list[dict]:
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        _child(fn, calls, write_fd)
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    buffer = b""
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                buffer += chunk
    finally:
        os.close(read_fd)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)
    raw = []
    for line in buffer.split(b"\n"):
        if line.strip():
            try:
                raw.append(json.loads(line))
            except ValueError:
                raw.append({"raised": "DecodeError", "message": "an output could not be read"})
    while len(raw) < len(calls):
        raw.append({"raised": "TimeoutError" if timed_out else "ProcessExit",
                    "message": (f"did not finish within {timeout:g} s" if timed_out
                                else "the function ended its process before returning")})
    return raw[:len(calls)]
