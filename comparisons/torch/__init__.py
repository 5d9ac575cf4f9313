"""PyTorch twins of refimpl, and the adapter the harness drives them through.

Gradients come from ``torch.autograd.grad`` with the cotangents as ``grad_outputs``.
"""

import numpy as np
import torch

VERSION = torch.__version__

# One thread: the arrays here are far too small for torch to split an op across threads
# (the same parity.json came out either way), but its idle OpenMP threads spin, and
# beside a second worker on two cores they cost a third more CPU time (measured: two
# processes running the same torch jobs, 12.5 -> 8.0 s each).
torch.set_num_threads(1)

def to_native(a: np.ndarray, requires_grad: bool = False):
    a = np.asarray(a)
    if a.dtype.name == "bfloat16":  # numpy has no bfloat16, so go through float32 (exact)
        t = torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    else:
        t = torch.from_numpy(a.copy())
    return t.requires_grad_(requires_grad)


def to_numpy(t, dtype) -> np.ndarray:
    t = t.detach()
    if t.dtype == torch.bfloat16:
        return t.to(torch.float32).numpy().astype(dtype)
    return t.numpy()


def forward(fn, arrays, kwargs, elementwise=False):   # elementwise: a hint jax uses
    with torch.no_grad():
        ys = fn(*[to_native(a) for a in arrays], **kwargs)
    return ys


def vjp(fn, arrays, kwargs, cotangents, wrt=None, elementwise=False):
    """Outputs and the gradients of sum_i <y_i, g_i> with respect to the arrays in ``wrt``
    (indices; default all). The other arrays (targets, class indices) are constants."""
    wrt = range(len(arrays)) if wrt is None else wrt
    xs = [to_native(a, requires_grad=i in wrt) for i, a in enumerate(arrays)]
    ys = fn(*xs, **kwargs)
    ys_t = ys if isinstance(ys, tuple) else (ys,)
    gs = torch.autograd.grad(ys_t, [xs[i] for i in wrt],
                             grad_outputs=[to_native(g) for g in cotangents],
                             allow_unused=True, materialize_grads=True)
    return ys, gs
