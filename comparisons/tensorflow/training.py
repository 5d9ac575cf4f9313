"""Training in TensorFlow: a keras.Sequential, tf.data in the given order, GradientTape and
a keras optimizer's apply_gradients, compiled as one tf.function step."""

import functools

import numpy as np
import tensorflow as tf
import keras


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
    model, opt, step, fresh = _trainer(task, optimizer, tuple(sorted(hyper.items())),
                                       weights[0].dtype.name)
    model.set_weights(weights)                # Keras keeps W as (in, out), as refimpl
    for v, value in zip(opt.variables, fresh):   # a new optimizer's state: step 0, empty slots
        v.assign(value)
    # one tf.data pipeline for the whole run: each epoch's rows in its order, batched
    # within the epoch (the last batch partial)
    epochs = tf.data.Dataset.from_tensor_slices((np.stack([x[o] for o in orders]),
                                                 np.stack([t[o] for o in orders])))
    batches = epochs.flat_map(
        lambda xe, te: tf.data.Dataset.from_tensor_slices((xe, te)).batch(batch_size))
    losses, path = [], []
    for xb, tb in batches:
        losses.append(float(step(xb, tb)))
        path.append([v.numpy().copy() for v in model.trainable_variables])
    return np.array(losses), path


@functools.cache
def _trainer(task, optimizer, hyper, dtype):
    """The model, the optimizer, one compiled training step (tf.function: traced once per
    task, optimizer and dtype, not once per run) and the optimizer's fresh state, which
    every run starts from."""
    if task == "xor":
        model = keras.Sequential([keras.Input((2,), dtype=dtype),
                                  keras.layers.Dense(4, activation="tanh", dtype=dtype),
                                  keras.layers.Dense(1, dtype=dtype)])
        loss_fn = keras.losses.BinaryCrossentropy(from_logits=True, dtype=dtype)
    else:
        model = keras.Sequential([keras.Input((3,), dtype=dtype), keras.layers.Dense(1, dtype=dtype)])
        loss_fn = keras.losses.MeanSquaredError(dtype=dtype)
    opt = _optimizer(optimizer, dict(hyper))
    opt.build(model.trainable_variables)

    @tf.function(reduce_retracing=True)
    def step(xb, tb):
        with tf.GradientTape() as tape:
            loss = loss_fn(tb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return model, opt, step, [v.numpy() for v in opt.variables]
