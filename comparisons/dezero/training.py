"""Training in DeZero: dezero.layers.Linear with F.tanh between, its loss functions and
dezero.optimizers, on the mini-batches refimpl takes, in the same order.

DeZero has SGD (with the WeightDecay hook: g + rate * p, torch's coupled decay),
MomentumSGD and Adam; AdaGrad without an initial accumulator; no Nesterov, RMSProp or
AdamW. Its MomentumSGD keeps v = momentum * v - lr * g and adds it: torch's buffer times
-lr, the same steps.
"""

import numpy as np
from dezero import Variable, models, optimizers
import dezero.functions as F

from comparisons.adapters import Unsupported
from refimpl import training

# refimpl's loss -> DeZero's: sigmoid_cross_entropy takes logits (it clips sigmoid(x) to
# [1e-15, 1] before the log), mean_squared_error divides by the batch size (here, with one
# output, the mean)
_LOSSES = {"binary_cross_entropy_with_logits": F.sigmoid_cross_entropy,
           "mse": F.mean_squared_error}


def _optimizer(name, hyper):
    lr = hyper["lr"]
    if name == "sgd":
        opt = optimizers.SGD(lr)
        if hyper.get("weight_decay"):
            opt.add_hook(optimizers.WeightDecay(hyper["weight_decay"]))
        return opt
    if name == "momentum":
        return optimizers.MomentumSGD(lr, momentum=hyper["momentum"])
    if name == "adam":
        beta1, beta2 = hyper["betas"]
        return optimizers.Adam(alpha=lr, beta1=beta1, beta2=beta2, eps=hyper["eps"])
    if name == "adagrad":
        raise Unsupported("not implemented: DeZero's AdaGrad starts its accumulator at 0 "
                          f"(this run starts it at {hyper['initial_accumulator_value']})")
    raise Unsupported(f"not implemented: DeZero has no {name} optimizer")


def trajectory(task, weights, x, t, orders, batch_size, optimizer, hyper):
    sizes, loss = training.TASKS[task]
    opt = _optimizer(optimizer, hyper)
    model = models.MLP(sizes[1:], activation=F.tanh)   # refimpl's mlp(sizes), the book's way
    for fc, W, b in zip(model.layers, weights[::2], weights[1::2]):   # W is (in, out) here too
        fc.W.data, fc.b.data = W.copy(), b.copy()
    opt.setup(model)
    loss_fn, losses, path = _LOSSES[loss.__name__], [], []
    for order in orders:
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            y = loss_fn(model(Variable(x[idx])), Variable(t[idx]))
            model.cleargrads()
            y.backward()
            opt.update()
            losses.append(float(y.data))
            path.append([p.data.copy() for fc in model.layers for p in (fc.W, fc.b)])
    return np.array(losses), path
