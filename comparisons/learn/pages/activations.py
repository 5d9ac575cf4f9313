"""Page 6: activation functions and the vanishing gradient (posts 001 and 002)."""

from comparisons.learn import figures
from comparisons.learn.page import Code, Exercise, Figure, Page, Run, Text


def four_activations():
    import numpy as np
    from refimpl import Variable, leaky_relu, relu, sigmoid, tanh

    for name, f in [("sigmoid", sigmoid), ("ReLU", relu),
                    ("Leaky ReLU", lambda v: leaky_relu(v, slope=0.1)), ("tanh", tanh)]:
        x = Variable(np.array([-2.0, 0.0, 2.0]))
        y = f(x)
        y.backward(np.ones(3))             # dout = 1, so x.grad is f'(x)
        print(f"{name:10}  f(x) = {np.round(y.data, 4)}   f'(x) = {np.round(x.grad, 4)}")


def torch_grads():
    import torch

    for name, f in [("sigmoid", torch.sigmoid), ("relu", torch.relu),
                    ("leaky_relu", lambda v: torch.nn.functional.leaky_relu(v, 0.1))]:
        x = torch.tensor([-2.0, 0.0, 2.0], requires_grad=True)
        f(x).backward(torch.ones(3))
        print(f"{name:10}", [round(g, 4) for g in x.grad.tolist()])


def tensorflow_grads():
    import tensorflow as tf

    for name, f in [("sigmoid", tf.sigmoid), ("relu", tf.nn.relu),
                    ("leaky_relu", lambda v: tf.nn.leaky_relu(v, alpha=0.1))]:
        x = tf.Variable([-2.0, 0.0, 2.0])
        with tf.GradientTape() as tape:
            y = f(x)
        print(f"{name:10}", [round(g, 4) for g in tape.gradient(y, x).numpy().tolist()])


def jax_grads():
    import jax
    import jax.numpy as jnp

    for name, f in [("sigmoid", jax.nn.sigmoid), ("relu", jax.nn.relu),
                    ("leaky_relu", lambda v: jax.nn.leaky_relu(v, 0.1))]:
        grads = jax.vmap(jax.grad(f))(jnp.array([-2.0, 0.0, 2.0]))
        print(f"{name:10}", [round(g, 4) for g in grads.tolist()])


def sigmoid_far_out():
    import numpy as np
    from refimpl import Variable, sigmoid, textbook

    x = np.array([-100.0], dtype=np.float32)
    print("float32 s(-100): textbook", textbook.sigmoid(x), " reference", sigmoid(x))
    with np.errstate(over="raise"):          # make the textbook's overflow visible
        try:
            textbook.sigmoid(np.array([-1000.0]))
        except FloatingPointError as e:
            print("textbook s(-1000):", e)
    print("reference s(-1000):", sigmoid(np.array([-1000.0])))
    x = Variable(np.array([40.0]))           # s(40) = 1 - 4.2e-18 rounds to exactly 1.0
    sigmoid(x).backward(np.ones(1))
    print("s'(40): textbook", textbook.sigmoid_backward(x.data, np.ones(1)), " reference", x.grad)


def relu_nan():
    import numpy as np
    from refimpl import Variable, relu, textbook

    x = np.array([np.nan, -1.0, 2.0])          # a NaN from a bug upstream
    print("textbook dx: ", textbook.relu_backward(x, np.ones(3)))
    v = Variable(x)
    relu(v).backward(np.ones(3))
    print("reference dx:", v.grad)


def vanishing_ratio():
    from comparisons.learn import demos

    for name, norms in demos.vanishing().items():   # ||dL/dW|| of layers 1 (input) .. 10
        print(f"{name:8} layer 1: {norms[0]:.1e}  layer 10: {norms[-1]:.1e}  "
              f"layer 10 / layer 1: {norms[-1] / norms[0]:.3g}")


PAGE = Page(
    slug="activations",
    name="activations",
    korean="활성화 함수",
    posts=("001", "002"),
    terms=(("activation function", "활성화 함수"), ("nonlinear function", "비선형 함수"),
           ("sigmoid", "시그모이드 함수"), ("step function", "계단 함수"),
           ("hidden layer", "은닉층"), ("derivative f'(x)", "도함수"),
           ("gradient", "기울기, 그레이디언트"), ("vanishing gradient", "기울기 소실")),
    example=Run(four_activations, post="001", caption=Text(
        "The four activations of post 001 at x = -2, 0, 2, and their derivatives from "
        "backward(): sigmoid's slope is largest at 0, where it is 0.25; ReLU's is 0 or 1; "
        "Leaky ReLU keeps 1/10 of a negative input and its slope 0.1; tanh's slope is 1 at 0.",
        "포스트 001의 활성화 함수 네 가지를 x = -2, 0, 2에 적용하고, backward()로 도함수 값을 "
        "구합니다. 시그모이드의 기울기는 0에서 가장 크고 그 값이 0.25입니다. ReLU의 기울기는 0 "
        "또는 1, Leaky ReLU는 음수 입력의 1/10을 남기고 기울기 0.1을 가집니다. tanh의 기울기는 "
        "0에서 1입니다.")),
    idea=Text(
        "An activation function (활성화 함수) is the nonlinear function (비선형 함수) a node "
        "applies to its weighted sum before passing it on. Without it, stacked linear layers "
        "are one linear layer (the MLP page shows this). **Sigmoid** (시그모이드 함수) squeezes "
        "any input into (0, 1). **ReLU** (렐루 함수) keeps a positive input and turns a negative "
        "one into 0. **Leaky "
        "ReLU** keeps 1/10 of a negative input, so a unit below 0 still gets a gradient. "
        "**tanh** is a stretched sigmoid, tanh(x) = 2 s(2x) - 1, with outputs in (-1, 1).\n\n"
        "Backprop multiplies the gradient by the derivative f'(x) (도함수) at every layer. "
        "Sigmoid's s'(x) = s(x)(1 - s(x)) is at most 0.25, so in a deep stack of sigmoids the "
        "gradient reaching the first hidden layers (은닉층) shrinks layer by layer: the "
        "**vanishing gradient** (기울기 소실). ReLU's derivative is 1 wherever the unit is "
        "active, so it passes the gradient on whole; this is why the posts prefer it.\n\n"
        "What backprop needs is a derivative that is useful almost everywhere, not a smooth "
        "function. The perceptron's step function (계단 함수) has derivative 0 everywhere it "
        "exists, so nothing flows back through it; ReLU's kink at the single point 0 is "
        "harmless. There refimpl takes ReLU's slope as 0 and Leaky ReLU's as 0.1, as torch does.",
        "활성화 함수(activation function)는 노드가 가중합을 다음 노드로 넘기기 전에 통과시키는 "
        "비선형 함수(nonlinear function)입니다. 활성화 함수가 없으면 선형 층을 아무리 쌓아도 "
        "선형 층 하나와 같습니다(MLP 페이지에서 확인합니다). **시그모이드 함수**(sigmoid)는 "
        "어떤 입력이든 0과 1 사이로 눌러 줍니다. **ReLU**(렐루 함수)는 양수 입력은 그대로, 음수 입력은 0으로 내보냅니다. "
        "**Leaky ReLU**는 음수 입력의 1/10을 남겨, 0 아래에 있는 뉴런도 기울기를 받게 합니다. "
        "**tanh**는 시그모이드를 늘인 모양으로 tanh(x) = 2 s(2x) - 1이고, 출력은 -1과 1 사이입니다."
        "\n\n"
        "역전파는 층마다 기울기에 도함수(derivative) f'(x)를 곱합니다. 시그모이드의 도함수 "
        "s'(x) = s(x)(1 - s(x))는 최대 0.25이므로, 시그모이드를 깊게 쌓으면 앞쪽 은닉층(hidden "
        "layer)에 도착하는 기울기가 층을 지날 때마다 작아집니다. 이것이 **기울기 소실**(vanishing "
        "gradient)입니다. ReLU의 도함수는 뉴런이 활성화된 곳에서 1이어서 기울기를 그대로 "
        "전달합니다. 포스트들이 ReLU를 권하는 이유입니다.\n\n"
        "역전파에 필요한 것은 매끄러운 함수가 아니라, 거의 모든 곳에서 쓸모 있는 도함수입니다. "
        "퍼셉트론의 계단 함수(step function)는 도함수가 존재하는 모든 곳에서 0이라 아무것도 "
        "거꾸로 흐르지 않습니다. ReLU가 꺾이는 점 0 하나는 문제가 되지 않습니다. 그 점에서 "
        "refimpl은 torch처럼 ReLU의 기울기를 0, Leaky ReLU의 기울기를 0.1로 잡습니다."),
    code=(
        Code(Text("sigmoid", "시그모이드 함수"), ("textbook:sigmoid", "textbook:sigmoid_backward"),
             "activations:Sigmoid", op="sigmoid", measured=Run(sigmoid_far_out), why=Text(
                 "The textbook form computes e^-x, which overflows for x < -709 (float32: "
                 "x < -88). The value survives (1 / inf = 0), but a tiny true value is lost: "
                 "float32 s(-100) should be 3.8e-44 (a subnormal), not 0. Its derivative "
                 "s(1 - s) subtracts s from 1, which gives 0 once s rounds to 1.0 (x > 36.7): "
                 "at x = 40 the true slope e^-40 = 4.2e-18 becomes 0. That is float rounding, "
                 "not the vanishing gradient (the slope is negligible either way). The "
                 "reference only evaluates e^-|x| <= 1 and writes s'(x) = s(x) s(-x): the same "
                 "number, since s(-x) = 1 - s(x), with no subtraction.",
                 "교과서 형태는 e^-x를 계산하므로 x < -709(float32에서는 x < -88)에서 오버플로가 "
                 "납니다. 값은 살아남지만(1 / inf = 0) 아주 작은 참값이 사라집니다: float32의 "
                 "s(-100)은 0이 아니라 3.8e-44(서브노멀 수)여야 합니다. 도함수 s(1 - s)는 "
                 "1에서 s를 빼므로, s가 1.0으로 반올림되는 곳(x > 36.7)에서 0이 됩니다. "
                 "x = 40에서 참 기울기 e^-40 = 4.2e-18이 0이 됩니다. 이것은 부동소수점 "
                 "반올림이지 기울기 소실이 아닙니다(어느 쪽이든 기울기는 무시할 만큼 "
                 "작습니다). 참조 구현은 e^-|x| <= 1만 계산하고 s'(x) = s(x) s(-x)로 씁니다. "
                 "s(-x) = 1 - s(x)이므로 같은 값이지만 뺄셈이 없습니다.")),
        Code(Text("ReLU", "ReLU (렐루 함수)"), ("textbook:relu", "textbook:relu_backward"),
             "activations:ReLU", op="relu", measured=Run(relu_nan), why=Text(
                 "`dout * (x > 0)` is the whole rule, and it is right for every number. For a "
                 "NaN (a bug upstream) `NaN > 0` is False, so the textbook form sends back a "
                 "gradient of 0 and hides the NaN; the reference passes the NaN on, so the bug "
                 "shows where it happened.",
                 "`dout * (x > 0)`이 규칙의 전부이고, 모든 수에 대해 맞습니다. 다만 NaN(앞쪽의 "
                 "버그)이 들어오면 `NaN > 0`이 False라서 교과서 형태는 기울기 0을 돌려보내 NaN을 "
                 "감춥니다. 참조 구현은 NaN을 그대로 전달해, 버그가 생긴 곳에서 드러나게 합니다.")),
    ),
    frameworks=(Run(torch_grads), Run(tensorflow_grads), Run(jax_grads, caption=Text(
        "jax's `leaky_relu` takes the slope 1 at x = 0 (it tests x >= 0); torch, TensorFlow "
        "and refimpl take 0.1 there. All four take ReLU's slope at 0 as 0.",
        "jax의 `leaky_relu`는 x = 0에서 기울기를 1로 잡습니다(x >= 0으로 검사). torch, "
        "TensorFlow, refimpl은 0.1입니다. ReLU의 0에서의 기울기는 넷 모두 0입니다."))),
    results=(
        Figure("vanishing_gradient", lambda lang: figures.vanishing_gradient(lang=lang), Text(
            "The vanishing gradient (기울기 소실), measured: the gradient norm ||dL/dW|| of each "
            "layer of a 10-layer network (width 16), one backward pass of a squared loss. With "
            "sigmoid it shrinks about fivefold per layer towards the input; with ReLU (and He's "
            "initial weights) it stays of about the same size in every layer.",
            "기울기 소실(vanishing gradient)을 측정한 결과: 10층(폭 16) 신경망에서 제곱 손실을 한 "
            "번 역전파했을 때 층별 기울기 크기 ||dL/dW||. 시그모이드는 입력 쪽으로 갈수록 층마다 "
            "약 5배씩 작아지고, ReLU(와 He 초기 가중치)는 모든 층에서 비슷한 크기를 유지합니다.")),
        Run(vanishing_ratio, caption=Text(
            "The same norms, first and last layer: sigmoid's first layer gets over a million "
            "times less gradient than its last.",
            "같은 측정에서 첫 층과 마지막 층의 기울기 크기만 뽑아 보면, 시그모이드에서는 첫 층이 "
            "마지막 층보다 백만 배 넘게 작은 기울기를 받습니다.")),
    ),
    exercises=(
        Exercise(Text("What is sigmoid'(0)? Predict, then check with backward().",
                      "sigmoid'(0)은 얼마일까요? 예측한 뒤 backward()로 확인하세요."),
                 ">>> from refimpl import Variable, sigmoid\n"
                 ">>> x = Variable(0.0)\n>>> sigmoid(x).backward()\n"
                 ">>> float(x.grad)                  # s(0)(1 - s(0)) = 0.5 * 0.5\n0.25\n"),
        Exercise(Text("What does `relu_backward` send back at x = [-1, 2] with dout = 1?",
                      "x = [-1, 2], dout = 1일 때 `relu_backward`는 무엇을 돌려보낼까요?"),
                 ">>> import numpy as np\n>>> from refimpl import textbook\n"
                 ">>> textbook.relu_backward(np.array([-1.0, 2.0]), np.ones(2))\n"
                 "array([0., 1.])\n"),
        Exercise(Text("Each sigmoid layer multiplies the gradient by s'(x), at most 0.25. "
                      "Leaving the weights aside, at most how much of it is left after 10 layers?",
                      "시그모이드 층 하나는 기울기에 s'(x)를 곱하고, 그 값은 최대 0.25입니다. "
                      "가중치는 빼고 생각할 때, 10층을 지나면 기울기는 최대 얼마가 남을까요?"),
                 ">>> 0.25 ** 10\n9.5367431640625e-07\n"),
    ),
)
