"""Training in JAX: a pure function of the parameters, jax.value_and_grad, and optax."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from refimpl import training

# refimpl's loss -> optax's, per element (the mean is taken in the step)
_LOSSES = {"binary_cross_entropy_with_logits": optax.losses.sigmoid_binary_cross_entropy,
           "mse": optax.losses.squared_error}


def _optimizer(name, hyper):
    lr = hyper["lr"]
    if name in ("sgd", "momentum", "nesterov"):
        sgd = optax.sgd(lr, momentum=hyper.get("momentum"), nesterov=name == "nesterov")
        wd = hyper.get("weight_decay", 0.0)
        return optax.chain(optax.add_decayed_weights(wd), sgd) if wd else sgd
    if name == "adagrad":
        return optax.adagrad(lr, initial_accumulator_value=hyper["initial_accumulator_value"],
                             eps=hyper["eps"])
    if name == "rmsprop":
        # optax adds eps inside the square root by default; eps_in_sqrt=False is torch's place
        return optax.rmsprop(lr, decay=hyper["rho"], eps=hyper["eps"], eps_in_sqrt=False)
    if name == "adam":
        return optax.adam(lr, b1=hyper["betas"][0], b2=hyper["betas"][1], eps=hyper["eps"])
    if name == "adamw":
        return optax.adamw(lr, b1=hyper["betas"][0], b2=hyper["betas"][1], eps=hyper["eps"],
                           weight_decay=hyper["weight_decay"])
    raise ValueError(f"no optax optimizer for {name!r}")


def _mlp(params, x):
    """refimpl's mlp: x W + b per layer ([W1, b1, W2, b2, ...]), tanh between the layers."""
    for W, b in zip(params[:-2:2], params[1:-2:2]):
        x = jnp.tanh(x @ W + b)
    return x @ params[-2] + params[-1]


def trajectory(task, weights, x, t, orders, batch_size, optimizer, hyper):
    step, opt = _step(task, optimizer, tuple(sorted(hyper.items())))
    params = [jnp.asarray(w) for w in weights]
    state = opt.init(params)
    losses, path = [], []
    for order in orders:
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            params, state, loss = step(params, state, x[idx], t[idx])
            losses.append(float(loss))
            path.append([np.asarray(p) for p in params])
    return np.array(losses), path


@functools.cache
def _step(task, optimizer, hyper):
    """One compiled training step per task, optimizer and hyperparameters, kept for every
    run that follows (jax compiles it once per dtype and batch shape)."""
    per_element = _LOSSES[training.TASKS[task].loss.__name__]

    def loss_fn(params, xb, tb):
        return per_element(_mlp(params, xb), tb).mean()
    opt = _optimizer(optimizer, dict(hyper))

    @jax.jit
    def step(params, state, xb, tb):
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, tb)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    return step, opt
