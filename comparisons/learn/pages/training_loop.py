"""Page 11: the training loop: batch size, iterations and epochs (post 001)."""

from comparisons.learn.page import Exercise, Page, Run, Text


def fifty_and_five_hundred():
    from refimpl import schedule

    s = schedule(1000, batch_size=20, epochs=10)       # 1000 samples, batches of 20, 10 epochs
    print("iterations per epoch:", s.iterations_per_epoch)     # 1000 / 20
    print("updates in 10 epochs:", s.updates)                  # 50 x 10
    print(s)


def one_epoch_of_batches():
    from refimpl import minibatches

    print("shuffled:  ", [b.tolist() for b in minibatches(10, 4, seed=0)])
    print("in order:  ", [b.tolist() for b in minibatches(10, 4, shuffle=False)])
    print("drop_last: ", [b.tolist() for b in minibatches(10, 4, seed=0, drop_last=True)])


def the_loop():
    import numpy as np
    from refimpl import SGD, Linear, fit, iteration, minibatches, mse

    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 1))
    t = 2 * x + 1 + 0.1 * rng.normal(size=(1000, 1))          # 1000 noisy samples of y = 2x + 1
    net = Linear(1, 1, rng=rng)
    opt = SGD(net.parameters(), lr=0.1)                        # learning rate 0.1
    updates = 0
    for epoch in range(10):                                    # 10 epochs ...
        losses = [iteration(net, mse, opt, x[idx], t[idx]).data   # forward, loss, backward, step
                  for idx in minibatches(len(x), 20, seed=epoch)]  # ... of 50 iterations
        updates += len(losses)
        if epoch in (0, 1, 9):
            print(f"epoch {epoch + 1}: {len(losses)} iterations, mean loss {np.mean(losses):.4f}")
    print("updates:", updates, " W =", net.W.data.ravel().round(3), " b =", net.b.data.round(3))
    net = Linear(1, 1, rng=rng)                                # fit: the same two loops
    history = fit(net, mse, SGD(net.parameters(), lr=0.1), x, t, batch_size=20, epochs=10)
    print("fit:", len(history.losses), "iterations in", history.epochs, "epochs; W =",
          net.W.data.ravel().round(3), " b =", net.b.data.round(3))


def one_iteration():
    import numpy as np
    from refimpl import SGD, Linear, iteration, mse

    x = np.array([[1.0], [2.0], [3.0]]); t = 2 * x + 1
    net = Linear(1, 1, W=[[0.5]], b=[0.0])
    opt = SGD(net.parameters(), lr=0.1)
    loss = iteration(net, mse, opt, x, t)       # zero_grad, forward, loss, backward, step
    print("loss", float(loss.data), " W", round(net.W.data.item(), 6), " b", round(net.b.data.item(), 6))


def torch_iteration():
    import torch

    x = torch.tensor([[1.0], [2.0], [3.0]]); t = 2 * x + 1
    net = torch.nn.Linear(1, 1)
    with torch.no_grad():
        net.weight.fill_(0.5); net.bias.fill_(0.0)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    opt.zero_grad()                                    # clear the old gradients
    loss = torch.nn.functional.mse_loss(net(x), t)     # forward and loss
    loss.backward()                                    # backward: fills each .grad
    opt.step()                                         # update, in place
    print("loss", loss.item(), " W", round(net.weight.item(), 6), " b", round(net.bias.item(), 6))


def tensorflow_iteration():
    import keras
    import tensorflow as tf

    x = tf.constant([[1.0], [2.0], [3.0]]); t = 2 * x + 1
    net = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(0.5))  # b starts at 0
    opt = keras.optimizers.SGD(learning_rate=0.1)
    with tf.GradientTape() as tape:                    # forward and loss, recorded on a tape
        loss = keras.losses.MeanSquaredError()(t, net(x))
    grads = tape.gradient(loss, net.trainable_variables)        # backward: returned, not stored
    opt.apply_gradients(zip(grads, net.trainable_variables))    # update
    print("loss", float(loss), " W", round(float(net.kernel[0, 0]), 6), " b", round(float(net.bias[0]), 6))


def jax_iteration():
    import jax
    import jax.numpy as jnp

    x = jnp.array([[1.0], [2.0], [3.0]]); t = 2 * x + 1
    params = {"W": jnp.array([[0.5]]), "b": jnp.array([0.0])}

    def loss_fn(p):
        return jnp.mean((x @ p["W"] + p["b"] - t) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(params)              # forward, loss and backward
    params = jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)  # update: new arrays
    W, b = params["W"][0, 0], params["b"][0]
    print("loss", float(loss), " W", round(float(W), 6), " b", round(float(b), 6))


PAGE = Page(
    slug="training-loop",
    name="training loop",
    korean="학습 루프",
    posts=("001",),
    terms=(("batch size", "배치 크기, 배치 사이즈"), ("mini-batch", "미니 배치"),
           ("iteration", "이터레이션, 반복"), ("epoch", "에포크"), ("learning rate", "학습률"),
           ("hyperparameter", "하이퍼파라미터"), ("update", "업데이트, 갱신"),
           ("weight, bias", "가중치, 편향"), ("forward pass", "순전파"),
           ("backward pass", "역전파")),
    example=Run(fifty_and_five_hundred, post="001", caption=Text(
        "Post 001's arithmetic: 1000 training samples in batches of 20 make 50 iterations per "
        "epoch, and 10 epochs update the weights 50 × 10 = 500 times. `schedule` does this "
        "count; `last_batch` is the size of each epoch's last batch (20 here: 1000 divides "
        "evenly).",
        "포스트 001의 계산: 학습 데이터 1000개를 배치 크기 20으로 나누면 에포크마다 50번의 "
        "이터레이션이고, 에포크가 10이면 가중치를 50 × 10 = 500번 업데이트합니다. `schedule`이 "
        "이 계산을 합니다. `last_batch`는 각 에포크 마지막 배치의 크기입니다(1000이 20으로 "
        "나누어떨어지므로 20).")),
    idea=Text(
        "Training repeats one **iteration** (이터레이션, 반복): take a mini-batch (미니 배치) of "
        "samples, run the forward pass (순전파), compute the loss, run the backward pass "
        "(역전파), and update every weight and bias (가중치, 편향) once. The **batch size** "
        "(배치 크기) is the number of samples behind one update. An **epoch** (에포크) is one "
        "pass over the whole training set: ceil(n / batch size) iterations, the last batch "
        "partial when the batch size does not divide n (`drop_last=True` skips it). The "
        "samples are shuffled again at the start of every epoch, so the batches differ from "
        "epoch to epoch while every sample is used once per epoch.\n\n"
        "The **learning rate** (학습률) scales each update. As post 001 warns, too large and "
        "the steps jump over the minimum; too small and training takes too long or stops "
        "before it gets there (see the gradient-descent page). These numbers are "
        "hyperparameters (하이퍼파라미터): chosen by us, not learned. A larger batch means "
        "fewer updates per epoch and more memory at once.\n\n"
        "`iteration` is one update (forward, loss, backward, step), `minibatches` the "
        "batches of one epoch, and `fit` the two loops (epochs, then iterations). The "
        "optimizer page's comparison runs train with this loop in refimpl and in each "
        "framework, with the same starting weights and batches, and compare them step by step.",
        "학습은 **이터레이션**(iteration, 반복) 하나를 되풀이합니다: 샘플의 미니 배치"
        "(mini-batch)를 꺼내 순전파(forward pass)로 손실을 계산하고, 역전파(backward pass)를 "
        "거쳐 모든 가중치와 편향(weight, bias)을 한 번 업데이트합니다. **배치 크기**(batch "
        "size)는 업데이트 한 번에 쓰이는 샘플 수입니다. **에포크**(epoch)는 학습 데이터 전체를 "
        "한 번 도는 것으로, ceil(n / 배치 크기)번의 이터레이션입니다. 배치 크기가 n을 나누지 "
        "못하면 마지막 배치는 작아집니다(`drop_last=True`는 그 배치를 버립니다). 에포크가 "
        "시작될 때마다 샘플을 다시 섞으므로, 모든 샘플은 에포크마다 한 번씩 쓰이지만 배치 "
        "구성은 매번 달라집니다.\n\n"
        "**학습률**(learning rate)은 업데이트의 크기를 정합니다. 포스트 001의 말처럼, 너무 "
        "크면 최솟값을 건너뛰고 너무 작으면 학습이 너무 오래 걸리거나 도달하기 전에 "
        "끝납니다(경사 하강법 페이지 참고). 이런 값은 학습되지 않고 우리가 정하는 "
        "하이퍼파라미터(hyperparameter)입니다. 배치가 크면 에포크당 업데이트 횟수가 줄고, "
        "한 번에 처리할 양이 많아 메모리가 더 필요합니다.\n\n"
        "`iteration`은 업데이트 한 번(순전파, 손실, 역전파, 갱신), `minibatches`는 한 "
        "에포크의 배치들, `fit`은 두 겹의 반복(에포크, 그 안의 이터레이션)입니다. 옵티마이저 "
        "페이지의 비교 실행은 이 루프로 refimpl과 각 프레임워크를 같은 초기 가중치, 같은 "
        "배치로 학습시키고 한 단계씩 비교합니다."),
    frameworks=(
        Run(torch_iteration, caption=Text(
            "One iteration of y = x W + b on three samples of y = 2x + 1, from W = 0.5, b = 0, "
            "lr = 0.1: the same loss 17.5 and update to W = 2.3, b = 0.8 as refimpl's "
            "`iteration` (under Results). torch's four lines are refimpl's: `zero_grad`, "
            "forward, `backward()` into `.grad`, `step()`.",
            "샘플 세 개(y = 2x + 1)에 대한 y = x W + b의 이터레이션 한 번. W = 0.5, b = 0, "
            "학습률 0.1에서 시작해 refimpl의 `iteration`(결과 참고)과 같은 손실 17.5, 같은 "
            "업데이트 W = 2.3, b = 0.8을 얻습니다. torch의 네 줄은 refimpl과 같습니다: "
            "`zero_grad`, 순전파, `.grad`에 쌓는 `backward()`, `step()`.")),
        Run(tensorflow_iteration, caption=Text(
            "TensorFlow records the forward pass on a tape; the gradients come back as a list "
            "and the optimizer applies them. Nothing needs clearing.",
            "TensorFlow는 순전파를 테이프에 기록하고, 기울기는 리스트로 돌려받아 옵티마이저가 "
            "적용합니다. 지울 것이 없습니다.")),
        Run(jax_iteration, caption=Text(
            "jax differentiates the loss function itself; the update makes new parameter "
            "arrays instead of changing them in place.",
            "jax는 손실 함수 자체를 미분합니다. 업데이트는 파라미터를 제자리에서 바꾸지 않고 "
            "새 배열을 만듭니다.")),
    ),
    results=(
        Run(one_iteration, caption=Text(
            "One iteration in refimpl, the one the framework tabs above repeat: loss "
            "mean((0.5x − t)²) = 17.5, dL/dW = −18, dL/db = −8, so W = 0.5 + 0.1 · 18 = 2.3 and "
            "b = 0 + 0.1 · 8 = 0.8.",
            "refimpl의 이터레이션 한 번(위 프레임워크 탭이 되풀이한 것): 손실 "
            "mean((0.5x − t)²) = 17.5, dL/dW = −18, dL/db = −8이므로 W = 0.5 + 0.1 · 18 = 2.3, "
            "b = 0 + 0.1 · 8 = 0.8.")),
        Run(one_epoch_of_batches, caption=Text(
            "One epoch of 10 samples in batches of 4: every sample once, the last batch "
            "partial (2 samples), or dropped with `drop_last=True`.",
            "샘플 10개, 배치 크기 4인 한 에포크: 모든 샘플이 한 번씩 쓰이고 마지막 배치는 "
            "2개뿐이며, `drop_last=True`이면 버려집니다.")),
        Run(the_loop, caption=Text(
            "The post's numbers in a real run: 1000 samples of a line y = 2x + 1 with a little "
            "noise, a `Linear(1, 1)` model, batches of 20, 10 epochs. The loop makes 500 "
            "updates and finds W ≈ 2, b ≈ 1; `fit` runs the same two loops (with its own "
            "shuffling) and records the loss of each of the 500 iterations.",
            "포스트의 숫자로 실제 학습: 잡음이 조금 섞인 직선 y = 2x + 1의 샘플 1000개, "
            "`Linear(1, 1)` 모델, 배치 크기 20, 에포크 10. 루프는 500번 업데이트하고 W ≈ 2, "
            "b ≈ 1을 찾습니다. `fit`은 같은 두 겹의 루프를 (자기 방식으로 섞어) 돌리며 500번 "
            "이터레이션 각각의 손실을 기록합니다.")),
    ),
    exercises=(
        Exercise(Text("1000 samples in batches of 30: how many iterations per epoch, and how "
                      "big is the last batch? And with `drop_last=True`?",
                      "샘플 1000개를 배치 크기 30으로 나누면 에포크당 이터레이션은 몇 번이고, "
                      "마지막 배치의 크기는? `drop_last=True`이면요?"),
                 ">>> from refimpl import schedule\n"
                 ">>> schedule(1000, 30)                 # 33 full batches and one of 10\n"
                 "Schedule(iterations_per_epoch=34, updates=34, last_batch=10)\n"
                 ">>> schedule(1000, 30, drop_last=True)  # the 10 left over are skipped\n"
                 "Schedule(iterations_per_epoch=33, updates=33, last_batch=30)\n"),
        Exercise(Text("The optimizer page trains the XOR MLP on 4 samples in batches of 3 for "
                      "100 steps. How many epochs is that?",
                      "옵티마이저 페이지는 XOR MLP를 샘플 4개, 배치 크기 3으로 100단계 "
                      "학습합니다. 몇 에포크일까요?"),
                 ">>> from refimpl import schedule\n"
                 ">>> schedule(4, 3).iterations_per_epoch      # a batch of 3, then 1\n2\n"
                 ">>> schedule(4, 3, epochs=50)\n"
                 "Schedule(iterations_per_epoch=2, updates=100, last_batch=1)\n"),
        Exercise(Text("List the batches of one epoch of 7 samples in batches of 3, in order.",
                      "샘플 7개를 배치 크기 3으로, 섞지 않고 나눈 한 에포크의 배치를 나열하세요."),
                 ">>> from refimpl import minibatches\n"
                 ">>> [b.tolist() for b in minibatches(7, 3, shuffle=False)]\n"
                 "[[0, 1, 2], [3, 4, 5], [6]]\n"),
    ),
    symbols=("training:schedule", "training:minibatches", "training:iteration", "training:fit",
             "training:trajectory"),
)
