"""Page 10: the multi-layer perceptron solves XOR; without activations it would not (posts 001, 002)."""

from comparisons.learn import figures
from comparisons.learn.page import Code, Exercise, Figure, Page, Run, Text


def xor_mlp():
    import numpy as np
    import refimpl
    from refimpl import Adam, fit, mlp

    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    t = np.array([[0], [1], [1], [0]], dtype=float)                  # XOR
    net = mlp([2, 4, 1], activation=refimpl.tanh, rng=np.random.default_rng(0))
    opt = Adam(net.parameters(), lr=0.05)
    history = fit(net, refimpl.binary_cross_entropy_with_logits, opt, x, t,
                  batch_size=4, epochs=2000, tol=0.01, seed=0)
    logits = net(x).data[:, 0]
    y = (logits > 0).astype(int)                                     # logit > 0 means 1
    print("layers:", net)
    print(f"epochs: {history.epochs} (stopped: {history.stopped}), "
          f"loss {history.epoch_losses[0]:.4f} -> {history.epoch_losses[-1]:.4f}")
    print("logits:", np.round(logits, 2), " y =", y.tolist(), " t =", t[:, 0].astype(int).tolist())
    print(f"accuracy: {np.mean(y == t[:, 0]):.0%}")


def by_hand():
    import numpy as np
    from refimpl import mlp

    W1 = np.array([[4.0, -4, 4, -4], [4, -4, 4, -4]])    # hidden units: OR, NAND, OR, NAND
    b1 = np.array([-2.0, 6, -2, 6])
    W2, b2 = np.ones((4, 1)), np.array([-2.0])            # output: AND of the hidden units
    net = mlp([2, 4, 1], weights=[W1, b1, W2, b2])
    x = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    hidden = np.tanh(x @ W1 + b1)
    print("hidden layer (4 per sample):\n", np.round(hidden, 3))
    print("output logits:", np.round(net(x).data[:, 0], 4))
    print("parameters:", [p.shape for p in net.parameters()], "=", sum(p.size for p in net.parameters()))


def torch_mlp():
    import torch
    from torch import nn

    net = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    with torch.no_grad():              # torch stores W transposed: weight is (out, in)
        net[0].weight.copy_(torch.tensor([[4.0, 4], [-4, -4], [4, 4], [-4, -4]]))
        net[0].bias.copy_(torch.tensor([-2.0, 6, -2, 6]))
        net[2].weight.fill_(1.0)
        net[2].bias.fill_(-2.0)
    x = torch.tensor([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    print("weight", tuple(net[0].weight.shape), " logits:", [round(v, 4) for v in net(x)[:, 0].tolist()])


def tensorflow_mlp():
    import keras
    import numpy as np

    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="tanh"),
                            keras.layers.Dense(1)])
    net.layers[0].set_weights([np.array([[4.0, -4, 4, -4], [4, -4, 4, -4]]),   # kernel (in, out)
                               np.array([-2.0, 6, -2, 6])])
    net.layers[1].set_weights([np.ones((4, 1)), np.array([-2.0])])
    x = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    print("kernel", tuple(net.layers[0].kernel.shape), " logits:", np.round(net(x).numpy()[:, 0], 4))


def jax_mlp():
    import jax.numpy as jnp

    params = {"W1": jnp.array([[4.0, -4, 4, -4], [4, -4, 4, -4]]), "b1": jnp.array([-2.0, 6, -2, 6]),
              "W2": jnp.ones((4, 1)), "b2": jnp.array([-2.0])}

    def net(p, x):                     # no layer objects: the forward is a function
        return jnp.tanh(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]

    x = jnp.array([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    print("W1", params["W1"].shape, " logits:", jnp.round(net(params, x)[:, 0], 4))


def three_layers_are_one():
    import numpy as np
    from comparisons.learn.demos import linear_collapse

    c = linear_collapse(seed=0)        # Linear 3 -> 5 -> 4 -> 2, no activation in between
    print("shapes of W1, W2, W3:", [W.shape for W, b in c.layers])
    print("W = W1 W2 W3 =\n", np.round(c.W, 4))
    print("b = (b1 W2 + b2) W3 + b3 =", np.round(c.b, 4))
    print("max |three layers - one layer| on", len(c.x), "inputs:", c.max_diff)


def one_sample():
    import numpy as np
    from refimpl import Variable, textbook
    from refimpl.models import Linear

    x, W, b = np.arange(3.0), np.full((3, 2), 0.5), np.zeros(2)    # one sample, as a vector
    try:
        textbook.affine_backward(x, W, b, np.ones(2))
    except ValueError as e:
        print("textbook:", e)
    layer = Linear(3, 2, W=W, b=b)
    layer(Variable(x)).backward(np.ones(2))
    print("reference: W.grad has W's shape", layer.W.grad.shape, "\n", layer.W.grad)


PAGE = Page(
    slug="mlp",
    name="MLP",
    korean="다층 퍼셉트론",
    posts=("001", "002"),
    terms=(("multi-layer perceptron, MLP", "다층 퍼셉트론"), ("input layer", "입력층"),
           ("hidden layer", "은닉층"), ("output layer", "출력층"),
           ("weight, bias", "가중치, 편향"), ("activation function", "활성화 함수"),
           ("nonlinear", "비선형"), ("affine map", "아핀 변환"), ("decision boundary", "결정 경계"),
           ("shape", "형상")),
    example=Run(xor_mlp, post="001", caption=Text(
        "What post 001 says an MLP can do and one perceptron cannot: a 2-4-1 network (2 inputs, "
        "a hidden layer of 4 tanh units, 1 output) learns XOR. The optimizer Adam (page 12) "
        "trains it on the four samples, one update per epoch, until the loss falls to 0.01; "
        "then every logit has XOR's sign.",
        "포스트 001이 말한, 퍼셉트론 하나는 못 하고 MLP는 하는 일: 2-4-1 신경망(입력 2개, tanh "
        "유닛 4개의 은닉층, 출력 1개)이 XOR을 배웁니다. 옵티마이저 Adam(12장)으로 네 샘플을 "
        "학습하며(에포크마다 갱신 한 번) 손실이 0.01까지 내려가면 멈춥니다. 이때 모든 "
        "로짓(logit)의 부호가 XOR과 같습니다.")),
    idea=Text(
        "A multi-layer perceptron (다층 퍼셉트론) stacks layers. The input layer (입력층) holds "
        "the data, here x₁ and x₂. Each hidden layer (은닉층) computes a weighted sum plus a "
        "bias, h = x W + b (an affine map, 아핀 변환: `Linear`), and passes it through an "
        "activation function (활성화 함수). The output layer (출력층) gives the answer, here one "
        "logit: class 1 when it is above 0. `mlp([2, 4, 1])` is `Linear(2, 4)`, `tanh`, "
        "`Linear(4, 1)`, with W of shape (2, 4) and (4, 1): 8 + 4 + 4 + 1 = 17 parameters.\n\n"
        "Why the hidden layer helps: each hidden unit draws its own line, and the output "
        "combines them. In the network set by hand below, two units say OR, two say NAND, and "
        "the output says AND of them, which is XOR. Post 001 puts sigmoid in the hidden "
        "layer; here it is tanh, which the post describes as sigmoid stretched to (−1, 1).\n\n"
        "Why the activation is needed (post 002): without it, three layers x W₁ W₂ W₃ are one "
        "layer with W = W₁ W₂ W₃. However deep, a stack of affine maps is one affine map, and "
        "its decision boundary is still one straight line. The nonlinear (비선형) function "
        "between the layers is what lets the boundary bend.",
        "다층 퍼셉트론(multi-layer perceptron, MLP)은 층을 쌓습니다. 입력층(input layer)은 "
        "데이터(여기서는 x₁, x₂)를 받습니다. 은닉층(hidden layer)은 가중합에 편향을 더한 "
        "h = x W + b(아핀 변환(affine map): `Linear`)를 계산해 활성화 함수(activation function)에 "
        "통과시킵니다. 출력층(output layer)은 답을 냅니다. 여기서는 로짓 하나이고, 0보다 크면 "
        "클래스 1입니다. `mlp([2, 4, 1])`은 `Linear(2, 4)`, `tanh`, `Linear(4, 1)`이며, W의 "
        "형상(shape)은 (2, 4)와 (4, 1)로 파라미터는 8 + 4 + 4 + 1 = 17개입니다.\n\n"
        "은닉층이 도움이 되는 이유: 은닉 유닛마다 자기 직선을 하나씩 긋고, 출력층이 그것들을 "
        "조합합니다. 아래에서 손으로 정한 신경망은 두 유닛이 OR, 두 유닛이 NAND를 답하고, 출력이 "
        "그 둘의 AND, 곧 XOR을 답합니다. 포스트 001은 은닉층에 시그모이드를 쓰지만, 여기서는 "
        "포스트가 시그모이드를 (−1, 1)로 확장한 형태라고 소개한 tanh를 씁니다.\n\n"
        "활성화 함수가 꼭 필요한 이유(포스트 002): 활성화 함수가 없으면 세 층 x W₁ W₂ W₃는 "
        "W = W₁ W₂ W₃인 한 층과 같습니다. 아무리 깊어도 아핀 변환을 쌓은 것은 아핀 변환 "
        "하나이고, 결정 경계는 여전히 직선 하나입니다. 층 사이의 비선형(nonlinear) 함수가 "
        "경계를 휘게 합니다."),
    code=(
        Code(Text("the affine layer, one layer of an MLP", "Affine 계층: MLP의 한 층"),
             ("textbook:affine", "textbook:affine_backward"), "models:Linear",
             measured=Run(one_sample), why=Text(
                 "The book's Affine layer writes its three gradients by hand for a mini-batch "
                 "x of shape (N, D): db sums `dout` over the batch because b was added to every "
                 "sample. Given one sample as a vector, `x.T` is `x` itself and dW fails. The "
                 "reference builds the layer from the matmul and add nodes (page 4), so backprop "
                 "finds the same three gradients for a vector, a batch or a batch of batches.",
                 "책의 Affine 계층은 형상이 (N, D)인 미니 배치 x에 맞춰 세 기울기를 손으로 씁니다. "
                 "b는 모든 샘플에 더해졌으므로 db는 배치에 걸쳐 `dout`을 더합니다. 샘플 하나를 "
                 "벡터로 주면 `x.T`가 `x` 그대로여서 dW 계산이 실패합니다. 참조 구현은 이 층을 "
                 "MatMul 노드와 덧셈 노드(4장)로 만들기 때문에, 벡터든 배치든 배치의 배치든 "
                 "역전파가 같은 세 기울기를 찾아 줍니다.")),
    ),
    frameworks=(
        Run(torch_mlp, caption=Text(
            "A 2-4-1 network with weights set by hand to compute XOR (two OR units, two NAND "
            "units; refimpl's version and its hidden layer are under Results), in each "
            "framework. torch's `nn.Linear` keeps its weight as (out, in), the transpose of "
            "refimpl's W, and computes x Wᵀ + b.",
            "XOR을 계산하도록 가중치를 손으로 정한 2-4-1 신경망(OR 유닛 둘, NAND 유닛 둘; "
            "refimpl 버전과 은닉층 값은 결과에 있음)을 프레임워크마다 실행합니다. torch의 "
            "`nn.Linear`는 가중치를 (out, in)으로, 즉 refimpl의 W를 전치해 저장하고 "
            "x Wᵀ + b를 계산합니다.")),
        Run(tensorflow_mlp, caption=Text(
            "Keras' `Dense` keeps the kernel as (in, out), as refimpl does, and takes the "
            "activation as an argument.",
            "Keras의 `Dense`는 커널을 refimpl처럼 (in, out)으로 저장하고, 활성화 함수를 인자로 "
            "받습니다.")),
        Run(jax_mlp, caption=Text(
            "jax has no layers of its own: the parameters are a dict of arrays and the network "
            "is a function of them.",
            "jax에는 자체 층 객체가 없습니다: 파라미터는 배열의 dict이고, 신경망은 그것을 받는 "
            "함수입니다.")),
    ),
    results=(
        Run(by_hand, caption=Text(
            "XOR by hand: hidden units 1 and 3 are OR (tanh(4x₁ + 4x₂ − 2)), units 2 and 4 NAND "
            "(tanh(−4x₁ − 4x₂ + 6)). Their sum minus 2 is positive only where both say yes: "
            "at (0, 1) and (1, 0). The framework tabs above run the same weights.",
            "손으로 만든 XOR: 은닉 유닛 1, 3은 OR(tanh(4x₁ + 4x₂ − 2)), 유닛 2, 4는 "
            "NAND(tanh(−4x₁ − 4x₂ + 6))입니다. 그 합에서 2를 뺀 값은 둘 다 '예'인 (0, 1)과 "
            "(1, 0)에서만 양수입니다. 위의 프레임워크 탭은 같은 가중치를 씁니다.")),
        Figure("xor_loss", lambda lang: figures.xor_loss(lang=lang), Text(
            "The worked example's loss, epoch by epoch (log scale), down to the stopping "
            "tolerance 0.01.",
            "예제의 에포크별 손실(로그 눈금). 멈춤 기준 0.01까지 내려갑니다.")),
        Figure("xor_boundary", lambda lang: figures.xor_boundary(lang=lang), Text(
            "Where the trained network says 1: the boundary bends around (0, 1) and (1, 0), "
            "which no single line can do.",
            "학습된 신경망이 1이라고 답하는 영역: 경계가 (0, 1)과 (1, 0)을 감싸며 휘어 "
            "있습니다. 직선 하나로는 불가능한 모양입니다.")),
        Run(three_layers_are_one, caption=Text(
            "Post 002's point, measured: three `Linear` layers 3 → 5 → 4 → 2 with random "
            "weights and no activation, and the single `Linear(3, 2)` with W = W₁ W₂ W₃ and "
            "b = (b₁ W₂ + b₂) W₃ + b₃. On 50 random inputs they agree to rounding error.",
            "포스트 002의 요점을 측정합니다: 활성화 함수 없이 가중치가 무작위인 `Linear` 세 층 "
            "3 → 5 → 4 → 2와, W = W₁ W₂ W₃, b = (b₁ W₂ + b₂) W₃ + b₃인 `Linear(3, 2)` 한 층. "
            "무작위 입력 50개에서 둘은 반올림 오차만큼만 다릅니다.")),
    ),
    exercises=(
        Exercise(Text("How many parameters (weights and biases) does a 2-4-1 MLP have? And a "
                      "2-8-8-1 one?",
                      "2-4-1 MLP의 파라미터(가중치와 편향)는 몇 개일까요? 2-8-8-1은요?"),
                 ">>> from refimpl import mlp\n"
                 ">>> sum(p.size for p in mlp([2, 4, 1]).parameters())      # 2*4 + 4 + 4*1 + 1\n"
                 "17\n"
                 ">>> sum(p.size for p in mlp([2, 8, 8, 1]).parameters())   # 24 + 72 + 9\n"
                 "105\n"),
        Exercise(Text("A mini-batch of 5 samples goes into `mlp([2, 4, 1])`. Predict the shape "
                      "of the hidden layer's output and of the network's output.",
                      "샘플 5개의 미니 배치가 `mlp([2, 4, 1])`에 들어갑니다. 은닉층 출력과 신경망 "
                      "출력의 형상을 예측하세요."),
                 ">>> import numpy as np\n>>> from refimpl import mlp\n"
                 ">>> net = mlp([2, 4, 1])\n>>> x = np.zeros((5, 2))\n"
                 ">>> net.layers[0](x).shape, net(x).shape       # Linear(2, 4), then the whole net\n"
                 "((5, 4), (5, 1))\n"),
    ),
    symbols=("models:Linear", "models:mlp"),
)
