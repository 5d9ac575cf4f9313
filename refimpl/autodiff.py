"""Backpropagation (역전파): a small reverse-mode engine.

A ``Variable`` holds an array and remembers the ``Function`` that made it. Calling
``y.backward()`` walks that record in reverse topological order and, at every node,
multiplies the upstream gradient by the node's local derivative -- the chain rule
(연쇄 법칙), applied one node at a time.

>>> x = Variable(np.array(3.0))
>>> y = x * x              # x is used twice: the branch node adds both paths
>>> y.backward()
>>> x.grad                 # d(x*x)/dx = 2x
array(6.)
"""

from __future__ import annotations

import contextlib
import functools

import inspect

import numpy as np

from refimpl._accurate import accurate_sum
from refimpl._arrays import FLOAT_DTYPES, ShapeError, as_float_array, compute_dtype

__all__ = ["Variable", "Function", "grad", "sum_to", "unbroadcast", "no_grad", "as_variable"]

_recording = True


@contextlib.contextmanager
def no_grad():
    """Run a block without recording a graph (as ``torch.no_grad``)."""
    global _recording
    old, _recording = _recording, False
    try:
        yield
    finally:
        _recording = old


class Variable:
    """An array that records how it was made, so its gradient can flow back.

    ``data`` is the numpy array; ``grad`` is filled by ``backward()`` and always has
    ``data``'s shape and dtype.
    """

    __array_priority__ = 200  # ndarray <op> Variable defers to Variable's operators

    def __init__(self, data, name: str | None = None):
        if isinstance(data, Variable):
            raise TypeError("Variable(...) got a Variable; pass its .data instead")
        self.data = as_float_array(data, "Variable", "data")
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0
        # Bumped by whatever writes into data in place (an optimizer step), as torch's
        # version counter: a Function that saved this input for backward can then tell
        # that its saved array no longer holds the value the forward saw.
        self.version = 0

    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)
    dtype = property(lambda self: self.data.dtype)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        body = np.array2string(self.data, prefix="Variable(")
        return f"Variable({body})"

    # numpy functions on a Variable (NEP 13 and 18): np.exp(v), np.sum(v, axis=0), x @ v
    # run refimpl's op of the same name, so the graph is recorded; a numpy function that
    # refimpl has no op for is an error that says what to use, never a silent plain array.
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        return _dispatch(name, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in ("shape", "ndim", "size"):   # questions about v, not ops on it
            return func._implementation(*args, **kwargs)
        return _dispatch(func.__name__, args, kwargs)

    def set_creator(self, fn: Function):
        self.creator = fn
        self.generation = fn.generation + 1

    def zero_grad(self):
        self.grad = None

    def backward(self, grad=None, retain_grad: bool = False):
        """Backpropagate from this variable.

        ``grad`` is the upstream gradient dL/dself (the "cotangent"); it defaults to
        ones, which is dL/dL when self is the scalar loss L. Leaves (variables no
        Function made) accumulate into ``.grad`` across calls, as in torch; a value that
        fans out receives one contribution per path (the branch node). Intermediate
        variables keep their ``.grad`` only with ``retain_grad=True``.
        """
        if grad is None:
            if self.size != 1:   # as torch: d(sum y)/dy would be a guess at what was meant
                raise ValueError(
                    f"backward(): the variable has shape {self.shape}, not one element; "
                    "pass grad=dL/dself of that shape (or reduce it first, e.g. refimpl.sum)")
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad)
            if not (grad.dtype.kind in "biuf" or grad.dtype.name == "bfloat16"):
                raise TypeError(f"backward(grad): grad must be a real array, got dtype "
                                f"{grad.dtype}")   # astype would drop an imaginary part
            if grad.shape != self.shape:
                raise ShapeError(
                    f"backward(grad): grad has shape {grad.shape} but the variable has shape "
                    f"{self.shape}; the upstream gradient must have the variable's shape"
                )
            grad = grad.astype(self.dtype, copy=False)
        if self.creator is None:
            self._accumulate(grad)
            return

        # Gradients in flight, by variable: a node runs only after every consumer of its
        # output has added its share, which the generation numbers guarantee.
        pending = {id(self): grad}
        funcs, seen = [], set()

        def push(f):
            if f is not None and id(f) not in seen:
                seen.add(id(f))
                funcs.append(f)
                funcs.sort(key=lambda fn: fn.generation)

        _check_unchanged(self.creator)   # all of the graph, before any .grad changes
        push(self.creator)
        while funcs:
            f = funcs.pop()
            gys = [pending.pop(id(y), None) for y in f.outputs]
            gys = [np.zeros_like(y.data) if g is None else g for g, y in zip(gys, f.outputs)]
            if retain_grad:
                for y, g in zip(f.outputs, gys):
                    y._accumulate(g)
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                if gx is None:
                    continue
                gx = _check_grad(f, x, gx)
                if x.creator is None:
                    x._accumulate(gx)
                else:
                    old = pending.get(id(x))
                    pending[id(x)] = gx if old is None else np.asarray(old + gx)
                    push(x.creator)

    def _accumulate(self, g):
        # A copy the first time, as torch does: g may be the caller's array (backward(g)) or
        # a view of it (through reshape), and x.grad must not change when the caller edits it.
        self.grad = np.array(g) if self.grad is None else np.asarray(self.grad + g)


def _check_unchanged(creator):
    # Backward reads the inputs' arrays as the forward saw them; an in-place write since
    # (w updated by opt.step() before loss.backward()) would give a wrong gradient silently.
    todo, seen = [creator], {id(creator)}
    while todo:
        f = todo.pop()
        for i, (x, then) in enumerate(zip(f.inputs, f.versions)):
            if x.version != then:
                raise RuntimeError(
                    f"backward(): {x.name or f'input {i}'} of {type(f).__name__} (shape "
                    f"{x.shape}) was changed in place after the forward (version {then}, now "
                    f"{x.version}, e.g. by an optimizer step); compute the forward again "
                    "before backward")
            if x.creator is not None and id(x.creator) not in seen:
                seen.add(id(x.creator))
                todo.append(x.creator)


def _check_grad(f, x, gx):
    # The op contract: every gradient has exactly its input's shape and dtype.
    gx = np.asarray(gx)
    if gx.shape != x.shape:
        raise AssertionError(
            f"{type(f).__name__}.backward returned a gradient of shape {gx.shape} "
            f"for an input of shape {x.shape}"
        )
    return gx.astype(x.dtype, copy=False)


# numpy's name -> refimpl's, where they differ
_NUMPY_NAMES = {"subtract": "sub", "multiply": "mul", "divide": "div", "true_divide": "div",
                "negative": "neg", "power": "pow"}


def _dispatch(name, args, kwargs):
    """refimpl's op for the numpy function ``name`` applied to a Variable, or a TypeError
    that names the refimpl function to use (or .data, for the plain array)."""
    import refimpl

    ours = _NUMPY_NAMES.get(name, name)
    op = getattr(refimpl, ours) if ours in refimpl.__all__ else None
    if op is None or "out" in kwargs:   # out= would write the result outside the graph
        use = (f"refimpl.{ours}(...), which returns a new Variable" if op is not None
               else "v.data for the plain array (no gradient flows through it)")
        raise TypeError(f"numpy.{name} on a Variable does not record the graph; use {use}")
    params = inspect.signature(op).parameters
    unknown = [k for k in kwargs if k not in params]
    if unknown:                          # dtype=, where=, initial= ... refimpl has none of them
        raise TypeError(f"numpy.{name} on a Variable runs refimpl.{ours}({', '.join(params)}), "
                        f"which has no argument {unknown[0]!r}")
    return op(*args, **kwargs)


def as_variable(x) -> Variable:
    return x if isinstance(x, Variable) else Variable(x)


_HALVES = {"float16", "bfloat16"}


def _is_half(a) -> bool:
    return isinstance(a, (np.ndarray, np.generic)) and a.dtype.name in _HALVES


def _is_weak(a) -> bool:
    """A Python number, or an integer or bool array: no floating dtype of its own."""
    if isinstance(a, (np.ndarray, np.generic)):
        return a.dtype.kind in "biu"
    return isinstance(a, (int, float))


def _arrays_of(inputs, fn, names):
    """The inputs as ndarrays. A Python number, an integer or a bool array takes the dtype
    of the floating operands (it is "weak", as in torch and jax; NEP 50 for numbers):
    float32 * 2.0 and float16 * an int64 array stay float32 and float16 (float64 when
    there is no floating operand). ``fn`` and ``names`` (the op and its arguments) are for
    the message when an input is no real array."""
    arrays = [x.data if isinstance(x, Variable) else x for x in inputs]
    if {a.dtype.name for a in arrays if _is_half(a)} == _HALVES:
        # numpy has no common type for these two; torch and jax compute them in float32
        arrays = [a.astype(np.float32) if _is_half(a) else a for a in arrays]
    floats = [a.dtype for a in arrays if isinstance(a, (np.ndarray, np.generic))
              and a.dtype.name in FLOAT_DTYPES]
    weak = np.result_type(*floats) if floats else np.float64
    return [np.asarray(a, dtype=weak) if _is_weak(a) else as_float_array(a, fn, name)
            for a, name in zip(arrays, names)]


class Function:
    """A node of the computational graph (계산 그래프).

    Subclasses define ``forward(*arrays)`` on plain ndarrays and ``backward(*gys)``,
    which returns one gradient per input. Called on plain arrays, a Function returns
    plain arrays and records nothing; called with any ``Variable``, it returns
    Variables linked to it for backprop.
    """

    name = None   # the public function's name, for messages (default: the class's, lower case)

    @property
    def called(self) -> str:
        """What messages call this node: ``name``, or the class's name in lower case."""
        return self.name or type(self).__name__.lower()

    @classmethod
    @functools.cache          # __call__ asks every time; the answer is fixed per class
    def _arg_names(cls, n):
        """forward's argument names, as messages call them (``["a", "b"]`` for add)."""
        args = [p.name for p in inspect.signature(cls.forward).parameters.values()
                if p.kind is p.POSITIONAL_OR_KEYWORD][1:]            # without self
        return args if len(args) == n else [f"input {i}" for i in range(n)]

    def __call__(self, *inputs):
        track = _recording and any(isinstance(x, Variable) for x in inputs)
        xs = _arrays_of(inputs, self.called, self._arg_names(len(inputs)))
        ys = self.forward(*xs)
        # numpy turns 0-d results into scalars; keep them arrays, as the contract says.
        ys = tuple(np.asarray(y) for y in ys) if isinstance(ys, tuple) else (np.asarray(ys),)
        if not track:
            if any(isinstance(x, Variable) for x in inputs):   # under no_grad
                ys = tuple(Variable(y) for y in ys)
            return ys if len(ys) > 1 else ys[0]
        self.inputs = [as_variable(x) for x in inputs]
        self.versions = [x.version for x in self.inputs]
        self.generation = max(x.generation for x in self.inputs)
        self.outputs = [Variable(y) for y in ys]
        for y in self.outputs:
            y.set_creator(self)
        return tuple(self.outputs) if len(self.outputs) > 1 else self.outputs[0]

    def forward(self, *xs):
        raise NotImplementedError

    def backward(self, *gys):
        raise NotImplementedError


def sum_to(x: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``x`` down to ``shape``: the backward of broadcasting.

    Broadcasting copies a value along new or size-1 axes (a "repeat" node); its
    derivative adds the copies back together. Leading axes that broadcasting added
    are summed away, and axes where ``shape`` has 1 are summed with keepdims.

    >>> sum_to(np.ones((2, 3)), (3,))
    array([2., 2., 2.])
    >>> sum_to(np.ones((2, 3)), (2, 1))
    array([[3.],
           [3.]])
    """
    shape = tuple(shape)
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    if lead < 0:
        raise ShapeError(f"sum_to: cannot sum shape {x.shape} to the larger rank of {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1
    )
    y = accurate_sum(x, axis=axes, keepdims=True)
    if lead:
        y = y.reshape(y.shape[lead:])
    if y.shape != shape:
        raise ShapeError(f"sum_to: shape {x.shape} does not broadcast from {shape}")
    return y


def unbroadcast(g, x, dtype):
    """The gradient ``g`` of an input ``x`` that broadcasting enlarged, brought back to x:
    summed to x's shape (``sum_to``), then rounded to x's dtype through the compute dtype
    of the op's output ``dtype``. A float16 input of a float16 op gets the float32
    gradient rounded once more, as its forward does (``compute_dtype``); one of a float64
    op gets the float64 gradient, rounded once.

    >>> unbroadcast(np.ones((2, 3)), np.float32(5.0), np.float32)
    array(6., dtype=float32)
    """
    x = np.asarray(x)
    return sum_to(g, x.shape).astype(compute_dtype(dtype)).astype(x.dtype)


def grad(f, argnums=0):
    """Return a function computing the gradient of the scalar ``f`` with numpy arrays.

    Like ``jax.grad``: ``grad(f)(x, y)`` is df/dx; ``grad(f, argnums=(0, 1))`` gives a
    tuple (df/dx, df/dy). Each gradient has its argument's shape and dtype.

    >>> grad(lambda x, y: x * x + x * y + y, argnums=(0, 1))(3.0, 2.0)
    (array(8.), array(4.))
    """
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    nums = (argnums,) if single else tuple(argnums) if isinstance(argnums, (tuple, list)) else ()
    if not nums or any(isinstance(i, bool) or not isinstance(i, int) for i in nums):
        raise TypeError(f"grad: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")

    def gradient(*args):
        bad = [i for i in nums if not 0 <= i < len(args)]
        if bad:
            raise ValueError(f"grad(f): argnums {bad[0]} is out of range for {len(args)} "
                             f"argument(s); expected 0 <= argnums < {len(args)}")
        args = list(args)
        watched = {i: Variable(args[i]) for i in nums}
        for i, v in watched.items():
            args[i] = v
        out = f(*args)
        if not isinstance(out, Variable):
            raise TypeError(
                "grad(f): f must return a Variable computed from its arguments, "
                f"got {type(out).__name__}"
            )
        if out.size != 1:
            raise ValueError(
                f"grad(f): f must return a scalar, got shape {out.shape}; "
                "reduce it (e.g. with refimpl.sum) or call .backward(grad) yourself"
            )
        out.backward()
        gs = tuple(
            np.zeros_like(watched[i].data) if watched[i].grad is None else watched[i].grad
            for i in nums
        )
        return gs[0] if single else gs

    return gradient
