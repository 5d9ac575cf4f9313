"""Page 8: gradient descent, on post 002's linear regression (posts 000 and 002)."""

from comparisons.learn import figures
from comparisons.learn.page import Code, Exercise, Figure, Page, Run, Text


def linear_regression_by_hand():
    import numpy as np
    from refimpl import least_squares

    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    t = np.array([1.1, 2.9, 5.2, 7.1, 8.8])         # about t = 2x + 1, with noise
    w, b, lr = 0.0, 0.0, 0.05                       # start at 0; lr is the step size
    for step in range(501):
        y_hat = w * x + b                           # the model
        L = np.mean((y_hat - t) ** 2)               # the squared loss
        if step in (0, 1, 2, 10, 100, 500):
            print(f"step {step:3}: w = {w:.4f}  b = {b:.4f}  L = {L:.4f}")
        dL_dw = np.mean(2 * (y_hat - t) * x)        # partial derivative in w
        dL_db = np.mean(2 * (y_hat - t))            # partial derivative in b
        w, b = w - lr * dL_dw, b - lr * dL_db       # one step against the gradient
    W, b_star = least_squares(x[:, None], t[:, None])
    print(f"closed form: w = {W[0, 0]:.4f}  b = {b_star[0]:.4f}")


def torch_sgd():
    import torch

    w = torch.tensor(1.0, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    for _ in range(3):                  # minimise w², dL/dw = 2w: w <- 0.8 w
        opt.zero_grad()                 # backward() adds into w.grad
        (w * w).backward()
        opt.step()                      # updates w in place
        print(round(w.item(), 6))


def tensorflow_sgd():
    import tensorflow as tf

    w = tf.Variable(1.0)
    opt = tf.keras.optimizers.SGD(learning_rate=0.1)
    for _ in range(3):
        with tf.GradientTape() as tape:
            L = w * w
        opt.apply_gradients([(tape.gradient(L, w), w)])    # (gradient, variable) pairs
        print(round(float(w.numpy()), 6))


def jax_sgd():
    import jax
    import optax

    w = 1.0
    opt = optax.sgd(0.1)
    state = opt.init(w)
    for _ in range(3):                  # nothing in place: each step returns new values
        updates, state = opt.update(jax.grad(lambda w: w * w)(w), state)
        w = optax.apply_updates(w, updates)
        print(round(float(w), 6))


def float16_step():
    import numpy as np
    from refimpl import SGD, textbook

    W, dW = np.array([1.0], dtype=np.float16), np.array([0.403], dtype=np.float16)
    exact = 1.0 - 0.1 * float(dW[0])
    W1, W2 = W.copy(), W.copy()
    textbook.sgd_step(W1, dW, lr=0.1)          # lr, lr * dW and W - lr * dW: each rounded
    SGD([W2], lr=0.1).step([dW])               # in float64, rounded to float16 once
    for name, new in (("textbook", W1), ("reference", W2)):
        print(f"{name:9} {float(new[0])}  off by {abs(float(new[0]) - exact):.2e}")
    print("half a float16 step here:", float(np.spacing(np.float16(0.96))) / 2)


def learning_rate_losses():
    from comparisons.learn import demos

    for name, (lr, losses) in demos.learning_rates().items():   # f(w) = ½ wᵀAw, L = 4
        print(f"{name:9} lr = {lr:<6g} f after 0, 10, 100 steps: "
              f"{losses[0]:.3g}, {losses[10]:.3g}, {losses[100]:.3g}")


def regression_gap():
    from comparisons.learn import demos

    run = demos.linear_regression()            # 64 points, lr 0.1, 200 steps from (0, 0)
    print("gradient descent (w, b):", run.path[-1].round(6), " closed form:",
          tuple(round(v, 6) for v in run.closed_form), f" gap: {run.gap:.1e}")


def gradient_ascent():
    import numpy as np
    from refimpl import SGD

    w = np.array([1.0])
    opt = SGD([w], lr=0.1, maximize=True)      # gradient ascent: w <- w + lr * df/dw
    for _ in range(3):
        opt.step([2 * w])                       # f(w) = w², df/dw = 2w: it climbs, away from 0
        print(w)


PAGE = Page(
    slug="gradient-descent",
    name="gradient descent",
    korean="경사 하강법",
    posts=("000", "002"),
    terms=(("gradient descent", "경사 하강법"), ("gradient", "그레이디언트, 기울기"),
           ("derivative", "도함수"), ("partial derivative", "편미분"),
           ("weight / bias", "가중치 / 편향"), ("learning rate, step size", "학습률"),
           ("iteration", "이터레이션, 반복"), ("linear regression", "선형 회귀"),
           ("closed-form solution", "닫힌 형식의 해"),
           ("gradient ascent", "경사 상승법")),
    example=Run(linear_regression_by_hand, post="002", caption=Text(
        "Post 002's linear regression (선형 회귀) ŷ = w x + b with the squared loss, fitted by "
        "gradient descent (경사 하강법): the two partial derivatives, then a step against them "
        "scaled by lr, repeated. After 500 steps w and b agree with the closed-form answer "
        "(닫힌 형식의 해) to four decimals.",
        "포스트 002의 선형 회귀(linear regression) ŷ = w x + b를 제곱 손실과 경사 하강법"
        "(gradient descent)으로 학습합니다. 두 편미분을 구하고, 그 반대 방향으로 lr을 곱한 만큼 "
        "움직이기를 반복합니다. 500번 반복한 뒤 w와 b는 식으로 바로 구한 해(닫힌 형식의 해, "
        "closed-form solution)와 소수점 넷째 자리까지 같습니다.")),
    idea=Text(
        "Post 000 starts from the derivative (도함수): f'(x) > 0 means f grows with x, so "
        "moving x a little against f'(x) makes f smaller. For a loss of many weights, the "
        "partial derivatives (편미분) in each weight together make the gradient (그레이디언트), "
        "which points where the loss grows fastest. **Gradient descent** (경사 하강법) takes "
        "a small step the other way, "
        "w ← w - lr · dL/dw, and repeats; each repetition is an iteration (이터레이션, 반복).\n\n"
        "Post 002's model is ŷ = w x + b, with a weight w (가중치) and a bias b (편향), and the "
        "squared loss L = mean((ŷ - t)²). Its partial derivatives are dL/dw = mean(2(ŷ - t) x) "
        "and dL/db = mean(2(ŷ - t)). This model also has a closed-form minimum (least squares); "
        "gradient descent reaches the same w and b, and keeps working for networks with "
        "millions of weights and no closed form.\n\n"
        "The step size, the **learning rate** (학습률) lr, decides whether it works. On "
        "f(w) = w² a step is w ← w - lr · 2w = (1 - 2 lr) w: any lr below 1 shrinks w towards "
        "the minimum, 0.5 lands on it in one step, and above 1 every step overshoots further. "
        "Too small, and it barely moves. To make a reward larger instead, step along the "
        "gradient: gradient ascent (경사 상승법).",
        "포스트 000은 도함수(derivative)에서 출발합니다: f'(x) > 0이면 x가 커질 때 f도 커지므로, "
        "x를 f'(x)의 반대 방향으로 조금 움직이면 f가 작아집니다. 가중치가 여러 개인 손실에서는 각 "
        "가중치에 대한 편미분(partial derivative)을 모은 것이 그레이디언트(gradient)이고, 손실이 "
        "가장 빨리 커지는 방향을 가리킵니다. **경사 하강법**(gradient descent)은 그 반대 "
        "방향으로 조금 움직이는 w ← w - lr · dL/dw를 반복합니다. 한 번의 반복이 "
        "이터레이션(iteration)입니다.\n\n"
        "포스트 002의 모델은 가중치(weight) w와 편향(bias) b를 가진 ŷ = w x + b이고, 손실은 제곱 "
        "손실 L = mean((ŷ - t)²)입니다. 편미분은 dL/dw = mean(2(ŷ - t) x), dL/db = "
        "mean(2(ŷ - t))입니다. 이 모델은 최솟값을 식으로 바로 구할 수도 있는데(최소제곱법), "
        "경사 하강법은 같은 w와 b에 도달하며, 가중치가 수백만 개이고 닫힌 형식이 없는 신경망에서도 그대로 "
        "작동합니다.\n\n"
        "보폭(step size)인 **학습률**(learning rate) lr이 성패를 가릅니다. f(w) = w²에서 한 "
        "걸음은 w ← w - lr · 2w = (1 - 2 lr) w입니다. lr이 1보다 작으면 w가 최솟값 쪽으로 줄고, "
        "0.5면 한 번에 도착하며, 1보다 크면 걸음마다 더 멀리 넘어갑니다. 너무 작으면 거의 움직이지 "
        "않습니다. 손실 대신 보상을 키우려면 그레이디언트 방향으로 움직입니다: 경사 "
        "상승법(gradient ascent)."),
    code=(
        Code(Text("one step of gradient descent", "경사 하강법의 한 걸음"), ("textbook:sgd_step",),
             "optim:SGD.update", measured=Run(float16_step), why=Text(
                 "`W -= lr * dW` is the whole rule. In float16 it rounds three times (lr, the "
                 "product, the difference), and the result can miss the nearest float16: below, "
                 "it is off by more than half a float16 step. The reference computes in float64 "
                 "and rounds once (`Optimizer.step`, in the table below, which also checks that "
                 "every gradient has its parameter's shape and handles `maximize`); "
                 "`SGD.update` adds momentum and Nesterov's step (the optimizers page).",
                 "`W -= lr * dW`가 규칙의 전부입니다. float16에서는 세 번(lr, 곱, 뺄셈) "
                 "반올림되고, 결과가 가장 가까운 float16을 놓칠 수 있습니다. 아래에서 오차가 "
                 "float16 간격의 절반보다 큽니다. 참조 구현은 float64로 계산해 한 번만 "
                 "반올림합니다(아래 표의 `Optimizer.step`: 모든 기울기가 매개변수와 같은 형상인지도 "
                 "검사하고 `maximize`를 처리합니다). `SGD.update`는 모멘텀과 네스테로프 걸음을 "
                 "더합니다(옵티마이저 페이지).")),
    ),
    frameworks=(Run(torch_sgd), Run(tensorflow_sgd), Run(jax_sgd)),
    results=(
        Figure("learning_rates", lambda lang: figures.learning_rates(lang=lang), Text(
            "The learning rate, measured: gradient descent on a bowl f(w) = ½ wᵀAw whose "
            "steepest curvature is L = 4, from the same start with four learning rates. Above "
            "2/L = 0.5 every step overshoots further and the loss grows; 1/L = 0.25 goes "
            "straight down; 0.01 is slow; 1e-6 hardly moves. (f(w) = w² above is the case "
            "L = 2, hence its limit lr < 2/L = 1.)",
            "학습률을 측정한 결과: 가장 가파른 곡률이 L = 4인 그릇 모양 f(w) = ½ wᵀAw에서, 같은 "
            "출발점과 네 가지 학습률로 경사 하강법을 돌립니다. 2/L = 0.5보다 크면 걸음마다 더 "
            "멀리 넘어가 손실이 커지고, 1/L = 0.25는 곧장 내려가며, 0.01은 느리고, 1e-6은 거의 "
            "움직이지 않습니다. (위의 f(w) = w²는 L = 2인 경우라서 한계가 lr < 2/L = 1입니다.)")),
        Run(learning_rate_losses),
        Figure("linear_regression", lambda lang: figures.linear_regression(lang=lang), Text(
            "Linear regression on 64 noisy points: the path of (w, b) from (0, 0) over the "
            "loss's contours ends at the closed-form answer (the star).",
            "잡음 섞인 점 64개의 선형 회귀: (0, 0)에서 출발한 (w, b)의 경로가 손실의 등고선을 "
            "따라 내려가 닫힌 형식의 해(별)에서 끝납니다.")),
        Run(regression_gap),
        Run(gradient_ascent, caption=Text(
            "Gradient ascent in refimpl: `maximize=True` steps along the gradient.",
            "refimpl의 경사 상승법: `maximize=True`는 그레이디언트 방향으로 움직입니다.")),
    ),
    exercises=(
        Exercise(Text("Try lr = 1.1 on f(w) = w² from w = 1. What is w after 3 steps?",
                      "f(w) = w²에서 w = 1부터 lr = 1.1로 해 보세요. 3번 뒤 w는?"),
                 ">>> import numpy as np\n>>> from refimpl import SGD\n"
                 ">>> w = np.array([1.0])\n>>> opt = SGD([w], lr=1.1)\n"
                 ">>> for _ in range(3):\n"
                 "...     opt.step([2 * w])      # w <- w - 1.1 * 2w = -1.2 w\n"
                 ">>> w\narray([-1.728])\n"),
        Exercise(Text("ŷ = w x + b at w = b = 0, x = [1, 2], t = [3, 5]: predict dL/dw and dL/db "
                      "of the squared loss.",
                      "w = b = 0, x = [1, 2], t = [3, 5]일 때 ŷ = w x + b의 제곱 손실에서 dL/dw와 "
                      "dL/db를 예측하세요."),
                 ">>> import numpy as np\n>>> from refimpl import Variable, mse\n"
                 ">>> w, b = Variable(0.0), Variable(0.0)\n"
                 ">>> x, t = np.array([1.0, 2.0]), np.array([3.0, 5.0])\n"
                 ">>> mse(w * x + b, t).backward()\n"
                 ">>> float(w.grad), float(b.grad)    # mean(2(ŷ - t) x), mean(2(ŷ - t))\n"
                 "(-13.0, -8.0)\n"),
        Exercise(Text("Which lr takes f(w) = w² from w = 1 to the minimum in one step?",
                      "f(w) = w²에서 w = 1을 한 걸음에 최솟값으로 보내는 lr은?"),
                 ">>> import numpy as np\n>>> from refimpl import SGD\n"
                 ">>> w = np.array([1.0])\n"
                 ">>> SGD([w], lr=0.5).step([2 * w])   # (1 - 2 lr) w = 0\n"
                 ">>> w\narray([0.])\n"),
    ),
    symbols=("optim:Optimizer.step",),
)
