"""Training in TensorFlow: a keras.Sequential, GradientTape and a keras optimizer's
apply_gradients, the whole run compiled as one tf.function (a graph loop over the batches).

One graph per run, not one call per step: a tf.function call costs about a millisecond,
ten times the step itself here. The loop runs the very ops the per-step function ran:
measured on every optimizer, both tasks, float32 and float64 and three seeds, the losses
and weights after every step came out bit for bit the same (0.10 s -> 0.01 s per run).
"""

import functools

import numpy as np
import tensorflow as tf
import keras

from refimpl import training

# refimpl's loss -> keras's (refimpl's takes logits, as from_logits=True does)
_LOSSES = {"binary_cross_entropy_with_logits": functools.partial(keras.losses.BinaryCrossentropy,
                                                                 from_logits=True),
           "mse": keras.losses.MeanSquaredError}


def _optimizer(name, hyper):
    lr = hyper["lr"]
    if name in ("sgd", "momentum", "nesterov"):
        # Keras's weight_decay is decoupled (p -= lr wd p); for plain SGD that is the same
        # step as torch's coupled g + wd p.
        return keras.optimizers.SGD(lr, momentum=hyper.get("momentum", 0.0),
                                    nesterov=name == "nesterov",
                                    weight_decay=hyper.get("weight_decay") or None)
    if name == "adagrad":
        return keras.optimizers.Adagrad(lr, epsilon=hyper["eps"],
                                        initial_accumulator_value=hyper["initial_accumulator_value"])
    if name == "rmsprop":
        return keras.optimizers.RMSprop(lr, rho=hyper["rho"], epsilon=hyper["eps"])
    if name == "adam":
        return keras.optimizers.Adam(lr, beta_1=hyper["betas"][0], beta_2=hyper["betas"][1],
                                     epsilon=hyper["eps"])
    if name == "adamw":
        return keras.optimizers.AdamW(lr, weight_decay=hyper["weight_decay"], beta_1=hyper["betas"][0],
                                      beta_2=hyper["betas"][1], epsilon=hyper["eps"])
    raise ValueError(f"no keras optimizer for {name!r}")


def trajectory(task, weights, x, t, orders, batch_size, optimizer, hyper):
    model, opt, run, fresh = _trainer(task, optimizer, tuple(sorted(hyper.items())),
                                      weights[0].dtype.name, batch_size)
    model.set_weights(weights)                # Keras keeps W as (in, out), as refimpl
    for v, value in zip(opt.variables, fresh):   # a new optimizer's state: step 0, empty slots
        v.assign(value)
    # each epoch's rows in its order; the loop batches within the epoch (the last batch partial)
    losses, path = run(np.stack([x[o] for o in orders]), np.stack([t[o] for o in orders]))
    path = [p.numpy() for p in path]          # per variable: its value after every step
    return losses.numpy(), [[p[k] for p in path] for k in range(len(losses))]


@functools.cache
def _trainer(task, optimizer, hyper, dtype, batch_size):
    """The model, the optimizer, the compiled run (traced once per task, optimizer, dtype
    and batch size, not once per run) and the optimizer's fresh state, which every run
    starts from."""
    sizes, loss = training.TASKS[task]
    # refimpl's mlp(sizes): a Dense layer per width after the first, tanh between them
    model = keras.Sequential([keras.Input((sizes[0],), dtype=dtype),
                              *(keras.layers.Dense(n, activation="tanh", dtype=dtype) for n in sizes[1:-1]),
                              keras.layers.Dense(sizes[-1], dtype=dtype)])
    loss_fn = _LOSSES[loss.__name__](dtype=dtype)
    opt = _optimizer(optimizer, dict(hyper))
    variables = model.trainable_variables
    opt.build(variables)

    @tf.function
    def run(xs, ts):   # xs: (epochs, samples, features), each epoch in its order
        losses = tf.TensorArray(dtype, size=0, dynamic_size=True)
        path = [tf.TensorArray(dtype, size=0, dynamic_size=True) for _ in variables]
        k = 0
        for e in tf.range(xs.shape[0]):
            for start in tf.range(0, xs.shape[1], batch_size):
                xb, tb = xs[e, start:start + batch_size], ts[e, start:start + batch_size]
                with tf.GradientTape() as tape:
                    loss = loss_fn(tb, model(xb, training=True))
                grads = tape.gradient(loss, variables)
                opt.apply_gradients(zip(grads, variables))
                losses = losses.write(k, loss)
                path = [p.write(k, tf.identity(v.value)) for p, v in zip(path, variables)]
                k += 1
        return losses.stack(), [p.stack() for p in path]

    return model, opt, run, [v.numpy() for v in opt.variables]
