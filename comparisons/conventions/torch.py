"""PyTorch's conventions, measured: its defaults and behaviours where frameworks differ by
choice (dtype promotion, subnormals, kinks, reductions, optimizer defaults).

``probe()`` returns the facts comparisons/conventions/__init__.py tabulates, each computed from
torch itself when asked for, formatted by the shared helpers there.
"""

import comparisons.torch  # noqa: F401  (sets torch's thread count, as every torch job runs)
import numpy as np
import torch
import torch.nn.functional as F

from comparisons import DTYPES
from comparisons.conventions import (_activation_facts, _num, _optimizer_facts,
                                     _reduction, _soft_ce_args, _tiny, _try, _zero)


def probe() -> dict:
    out = {
        "default_float": str(torch.tensor(1.0).dtype).removeprefix("torch."),
        "int32+float32": _try(lambda: str((torch.tensor([1], dtype=torch.int32)
                                           + torch.tensor([1.0])).dtype).removeprefix("torch.")),
        "float16+float32": _try(lambda: str((torch.tensor([1.0], dtype=torch.float16)
                                             + torch.tensor([1.0])).dtype).removeprefix("torch.")),
        "zero_sum": _zero(torch.matmul(-torch.zeros(1, 1, dtype=torch.float64),
                                       torch.ones(1, 1, dtype=torch.float64)).item()),
        "sum_axis_empty_tuple": _try(lambda: str(tuple(torch.sum(torch.ones(2, 3), dim=()).shape))),
    }
    for dt in DTYPES:
        x = torch.tensor([_tiny(dt)], dtype=getattr(torch, dt))
        out[f"flushes_subnormals.{dt}"] = bool((x * 0.5).item() == 0.0)
        out[f"reads_subnormals_as_zero.{dt}"] = bool(
            (torch.tensor([_tiny(dt) / 2], dtype=getattr(torch, dt)) * 4).item() == 0.0)

    out |= _activation_facts(_at, _grad_at, leaky_relu=F.leaky_relu, gelu=F.gelu, relu=F.relu,
                             gelu_exact=lambda x: F.gelu(x, approximate="none"),
                             step=lambda x: torch.heaviside(x, torch.zeros_like(x)),
                             abs_=torch.abs, elu=F.elu, sigmoid=torch.sigmoid,
                             softplus=F.softplus, tanh=torch.tanh)
    out |= {
        "softmax_nan_row": _num(torch.softmax(torch.tensor([np.nan, 0.0, 0.0]), -1)[1]),
        "reduction.mse": _reduction(F.mse_loss(torch.tensor([1.0, 3.0]), torch.zeros(2))),
        "huber_grad_small": _num(_grad_at(lambda y: F.huber_loss(y, torch.zeros_like(y)), 1e-20)),
        "gelu_inf": _num(F.gelu(torch.full((16,), np.inf))[0]),
        "reduction.cross_entropy": _reduction(F.cross_entropy(torch.zeros(2, 2), torch.tensor([0, 1])),
                                              per_sample=np.log(2)),
        "bce_p0_t1": _num(F.binary_cross_entropy(torch.tensor(0.0), torch.tensor(1.0))),
        "soft_ce_minus_inf": _num(F.cross_entropy(*_soft_ce_args(torch.tensor))),
    }
    return out | _optimizer_facts(_step, _default)


def _at(f, x, dtype="float64"):
    return f(torch.tensor(x, dtype=getattr(torch, dtype))).item()


def _grad_at(f, x, dtype="float64"):
    t = torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True)
    return torch.autograd.grad(f(t), t)[0].item()


_OPTIMIZERS = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad,
               "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}


def _step(name, g, p0=0.0, **kw):
    cls = _OPTIMIZERS[name]
    kw = {"alpha" if k == "rho" else k: v for k, v in kw.items()}
    p = torch.tensor([p0], dtype=torch.float64, requires_grad=True)
    opt = cls([p], **kw)
    p.grad = torch.tensor([g], dtype=torch.float64)
    opt.step()
    return p.item()


def _default(name, arg):
    cls = _OPTIMIZERS[name]
    arg = {"rho": "alpha"}.get(arg, arg)
    return cls([torch.zeros(1, requires_grad=True)]).defaults[arg]
