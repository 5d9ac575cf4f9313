"""Tensors, vectors and matrices in PyTorch."""

import torch
import torch.nn.functional as F


def describe(x):
    return {"rank": x.ndim, "shape": tuple(x.shape), "dtype": str(x.dtype).removeprefix("torch."),
            "size": x.numel()}


def dot(a, b):
    return torch.dot(a, b)


def cosine_similarity(a, b, axis=-1, eps=1e-8):
    return F.cosine_similarity(a, b, dim=axis, eps=eps)


def matmul(a, b):
    return torch.matmul(a, b)
