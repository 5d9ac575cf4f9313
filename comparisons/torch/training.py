"""Training in PyTorch: nn.Sequential, a DataLoader in the given order, and torch.optim."""

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from refimpl import training

# refimpl's loss -> torch's module for it
_LOSSES = {"binary_cross_entropy_with_logits": nn.BCEWithLogitsLoss, "mse": nn.MSELoss}


def _model(sizes):
    """refimpl's mlp(sizes): a Linear layer per pair of widths, tanh between them."""
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.Tanh()]
    return nn.Sequential(*layers[:-1])


def _optimizer(name, params, hyper):
    lr = hyper["lr"]
    if name in ("sgd", "momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=hyper.get("momentum", 0.0),
                               nesterov=name == "nesterov", weight_decay=hyper.get("weight_decay", 0.0))
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, eps=hyper["eps"],
                                   initial_accumulator_value=hyper["initial_accumulator_value"])
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=hyper["rho"], eps=hyper["eps"])
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=hyper["betas"], eps=hyper["eps"])
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=hyper["betas"], eps=hyper["eps"],
                                 weight_decay=hyper["weight_decay"])
    raise ValueError(f"no torch optimizer for {name!r}")


def trajectory(task, weights, x, t, orders, batch_size, optimizer, hyper):
    dtype = getattr(torch, weights[0].dtype.name)
    sizes, loss = training.TASKS[task]
    model, loss_fn = _model(sizes).to(dtype), _LOSSES[loss.__name__]()
    layers = [m for m in model if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for layer, W, b in zip(layers, weights[::2], weights[1::2]):
            layer.weight.copy_(torch.from_numpy(W.T))   # torch keeps W^T: (out, in)
            layer.bias.copy_(torch.from_numpy(b))
    opt = _optimizer(optimizer, model.parameters(), hyper)
    data = TensorDataset(torch.from_numpy(x), torch.from_numpy(t))
    losses, path = [], []
    for order in orders:
        for xb, tb in DataLoader(data, batch_size=batch_size, sampler=order.tolist()):
            opt.zero_grad()
            loss = loss_fn(model(xb), tb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            path.append([p.detach().numpy().copy() for layer in layers
                         for p in (layer.weight.T, layer.bias)])
    return np.array(losses), path
