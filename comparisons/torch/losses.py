"""Losses in PyTorch: torch.nn.functional, each taking refimpl's reduction ("mean", "sum", "none")."""

import torch.nn.functional as F


def mse(y_hat, t, reduction="mean"):
    return F.mse_loss(y_hat, t, reduction=reduction)


def mae(y_hat, t, reduction="mean"):
    return F.l1_loss(y_hat, t, reduction=reduction)


def huber(y_hat, t, delta=1.0, reduction="mean"):
    return F.huber_loss(y_hat, t, reduction=reduction, delta=delta)


def binary_cross_entropy(p, t, reduction="mean"):
    # torch clamps each log at -100, so p=0, t=1 gives 100 where refimpl gives inf.
    return F.binary_cross_entropy(p, t, reduction=reduction)


def binary_cross_entropy_with_logits(x, t, reduction="mean"):
    return F.binary_cross_entropy_with_logits(x, t, reduction=reduction)


def cross_entropy(x, t, reduction="mean"):
    # torch wants the classes on dim 1 of (N, C, d1, ...): move refimpl's last axis there
    # (and the one-hot/probability target's with it). A single sample (C,) is accepted as is.
    if x.ndim > 1:
        x = x.movedim(-1, 1)
        t = t.movedim(-1, 1) if t.is_floating_point() else t
    return F.cross_entropy(x, t, reduction=reduction)


def nll(logp, t, reduction="mean"):
    # Classes on dim 1, as in cross_entropy.
    return F.nll_loss(logp.movedim(-1, 1) if logp.ndim > 1 else logp, t, reduction=reduction)


def gaussian_nll(mu, t, var, full=False, eps=1e-6, reduction="mean"):
    return F.gaussian_nll_loss(mu, t, var, full=full, eps=eps, reduction=reduction)
