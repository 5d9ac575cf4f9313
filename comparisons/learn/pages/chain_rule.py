"""Page 4: the chain rule on a computational graph (posts 003 and 004)."""

from comparisons.learn.page import Code, Exercise, Page, Run, Text


def f_is_Wx_plus_b():
    from refimpl import Variable

    W, x, b = Variable(-2.0, name="W"), Variable(5.0, name="x"), Variable(3.0, name="b")
    f = W * x + b                      # forward: a mul node, then an add node
    f.backward(retain_grad=True)       # backward: dout = df/df = 1 flows back
    print("f =", f.data)
    print("df/dW =", W.grad, " df/dx =", x.grad, " df/db =", b.grad)
    print("W + 1 gives f =", ((W.data + 1) * x.data + b.data))   # f moved by df/dW = 5


def torch_f():
    import torch

    W, x, b = (torch.tensor(v, requires_grad=True) for v in (-2.0, 5.0, 3.0))
    f = W * x + b
    f.backward()
    print("f =", f.item(), " grads:", W.grad.item(), x.grad.item(), b.grad.item())


def tensorflow_f():
    import tensorflow as tf

    W, x, b = tf.Variable(-2.0), tf.Variable(5.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        f = W * x + b
    grads = tape.gradient(f, [W, x, b])
    print("f =", f.numpy(), " grads:", *(g.numpy() for g in grads))


def jax_f():
    import jax

    def f(W, x, b):
        return W * x + b

    grads = jax.grad(f, argnums=(0, 1, 2))(-2.0, 5.0, 3.0)
    print("f =", f(-2.0, 5.0, 3.0), " grads:", *(float(g) for g in grads))


def add_broadcast():
    import numpy as np
    from refimpl import Variable, textbook

    a, b = Variable(np.ones((2, 3)), name="a"), Variable(np.ones(3), name="b")
    dout = np.ones((2, 3))
    print("textbook db shape:", textbook.add_backward(a.data, b.data, dout)[1].shape)
    y = a + b
    y.backward(dout, retain_grad=True)
    print("reference b.grad:", b.grad)     # b was used once per row: the rows add up


def matmul_shapes():
    import numpy as np
    from refimpl import Variable, matmul, sum

    X = Variable(np.arange(12.0).reshape(4, 3), name="X")   # a mini-batch: 4 samples, 3 features
    W = Variable(np.full((3, 2), 0.5), name="W")             # a layer: 3 -> 2
    Y = matmul(X, W)
    L = sum(Y)
    L.backward(retain_grad=True)
    print("X @ W has shape", Y.shape, "; L =", L.data)
    print("W.grad has W's shape", W.grad.shape, ":\n", W.grad)


PAGE = Page(
    slug="chain-rule",
    name="chain rule and the computational graph",
    korean="연쇄 법칙과 계산 그래프",
    posts=("003", "004"),
    terms=(("chain rule", "연쇄 법칙"), ("computational graph", "계산 그래프"),
           ("node", "노드"), ("add node", "덧셈 노드"), ("mul node", "곱셈 노드"),
           ("branch node", "분기 노드"), ("forward pass", "순전파"), ("backward pass", "역전파"),
           ("upstream gradient, dout", "상류 기울기"), ("shape", "형상")),
    example=Run(f_is_Wx_plus_b, post="003", draw=("f",), caption=Text(
        "f = Wx + b at W = -2, x = 5, b = 3: the forward pass (순전파) gives f = -7, the "
        "backward pass (역전파) df/dW = x = 5, df/dx = W = -2, df/db = 1. Raising W by 1 "
        "moves f by 5, from -7 to -2.",
        "W = -2, x = 5, b = 3일 때 f = Wx + b: 순전파(forward pass)로 f = -7, 역전파(backward "
        "pass)로 df/dW = x = 5, df/dx = W = -2, df/db = 1을 얻습니다. W를 1 올리면 f는 5만큼 "
        "움직여 -7에서 -2가 됩니다.")),
    idea=Text(
        "A computational graph (계산 그래프) writes a calculation as nodes (노드), one "
        "operation each: here a mul node (곱셈 노드) makes y = `W * x` (v1 in the graph) "
        "and an add node (덧셈 노드) makes f = y + b. The forward pass (순전파) runs left to "
        "right. The backward pass (역전파) runs right to left: every node takes the gradient "
        "arriving from its output, `dout` (df/d(its output), the upstream gradient), "
        "multiplies it by its own local derivative and passes the product to its inputs. "
        "Chaining these local steps is the chain rule (연쇄 법칙): "
        "df/dW = df/dy · dy/dW = 1 · x = 5.\n\n"
        "Each kind of node has one rule. The **add node** passes `dout` on unchanged to both "
        "inputs. The **mul node** swaps its inputs: a gets `dout * b`, b gets `dout * a`. The "
        "**branch node** (분기 노드: a value used twice) adds the gradients of every use "
        "(page 5 draws one). The **matmul node** gives dX = dout Wᵀ and dW = Xᵀ dout, so every "
        "gradient has its input's shape (형상).",
        "계산 그래프(computational graph)는 계산을 노드(node)로 나누어 그리며, 노드 하나가 "
        "연산 하나를 맡습니다. 여기서는 곱셈 노드(mul node)가 y = `W * x`(그래프의 v1)를 "
        "만들고 덧셈 노드(add node)가 f = y + b를 만듭니다. 순전파는 왼쪽에서 오른쪽으로 흐릅니다. 역전파는 "
        "오른쪽에서 왼쪽으로 흐르며, 각 노드는 출력 쪽에서 들어온 기울기 `dout`(출력에 대한 f의 "
        "미분, 상류 기울기)에 자신의 국소 미분(local derivative)을 곱해 입력 쪽으로 넘깁니다. "
        "이 국소 단계를 이어 붙이는 것이 연쇄 법칙(chain rule)입니다: "
        "df/dW = df/dy · dy/dW = 1 · x = 5.\n\n"
        "노드마다 규칙은 하나입니다. **덧셈 노드**는 `dout`을 두 입력에 그대로 보냅니다. "
        "**곱셈 노드**는 입력을 서로 바꿔 곱합니다: a에는 `dout * b`, b에는 `dout * a`. "
        "**분기 노드**(branch node: 한 값을 두 번 쓸 때)는 모든 쓰임의 기울기를 더합니다(5장에 "
        "그림이 있습니다). **MatMul 노드**는 dX = dout Wᵀ, dW = Xᵀ dout을 주므로, 기울기는 "
        "언제나 입력과 같은 형상(shape)입니다."),
    code=(
        Code(Text("add node", "덧셈 노드"), ("textbook:add", "textbook:add_backward"),
             "graph:Add", op="add", measured=Run(add_broadcast, draw=("y",)), why=Text(
                 "`return dout, dout` is right only when a and b have the same shape. With "
                 "broadcasting, b is used once per row, so its gradient is the sum over the rows; "
                 "the reference's `Binary.backward` sums it back to b's shape (`unbroadcast`).",
                 "`return dout, dout`은 a와 b의 형상이 같을 때만 맞습니다. 브로드캐스팅"
                 "(broadcasting)에서는 b가 행마다 한 번씩 쓰이므로 그 기울기는 행들의 합입니다. "
                 "참조 구현의 `Binary.backward`는 기울기를 b의 형상으로 되돌려 더합니다"
                 "(`unbroadcast`).")),
        Code(Text("mul node", "곱셈 노드"), ("textbook:mul", "textbook:mul_backward"),
             "graph:Mul", op="mul", why=Text(
                 "`Mul` is the same swap. What it adds is in `Binary`, which add and mul share "
                 "(in refimpl/graph.py, not shown): float16 and bfloat16 inputs are computed in "
                 "float32, so a result is rounded once, and each gradient is summed back to its "
                 "input's shape, as the add node above shows.",
                 "`Mul`도 같은 맞바꿈입니다. 참조 구현이 더 조심하는 부분은 덧셈과 곱셈이 함께 쓰는 `Binary`"
                 "(refimpl/graph.py, 여기에는 보이지 않음)에 있습니다: float16과 bfloat16 입력은 "
                 "float32로 계산해 결과를 한 번만 반올림하고, 각 기울기는 위의 덧셈 노드에서 본 "
                 "것처럼 입력의 형상으로 되돌려 더합니다.")),
        Code(Text("matmul node", "MatMul 노드"), ("textbook:matmul", "textbook:matmul_backward"),
             "tensors:MatMul", op="matmul", measured=Run(matmul_shapes, draw=("L",)), why=Text(
                 "The textbook form is for 2-D X and W. The reference also takes vectors and "
                 "batches of matrices (sums the gradient over broadcast batch axes), and it "
                 "adds up the products in extra precision, so each entry is rounded about once "
                 "(`accurate_matmul`).",
                 "교과서 형태는 2차원 X, W만 다룹니다. 참조 구현은 벡터와 행렬의 배치도 받고"
                 "(브로드캐스트된 배치 축에 대해 기울기를 더함), 곱의 합을 더 높은 정밀도로 구해 "
                 "원소마다 거의 한 번만 반올림합니다(`accurate_matmul`).")),
    ),
    frameworks=(Run(torch_f), Run(tensorflow_f), Run(jax_f)),
    exercises=(
        Exercise(Text("In f = W * x + b with W = 3, x = -1, b = 2, predict f and its three "
                      "gradients, then check.",
                      "W = 3, x = -1, b = 2일 때 f = W * x + b의 값과 세 기울기를 예측해 보고 "
                      "확인하세요."),
                 ">>> from refimpl import Variable\n"
                 ">>> W, x, b = Variable(3.0), Variable(-1.0), Variable(2.0)\n"
                 ">>> f = W * x + b\n>>> f.backward()\n"
                 ">>> float(f.data), float(W.grad), float(x.grad), float(b.grad)\n"
                 "(-1.0, -1.0, 3.0, 1.0)\n"),
        Exercise(Text("A mul node with a = 3, b = 4 receives dout = 2. What does it send to a "
                      "and to b?",
                      "a = 3, b = 4인 곱셈 노드에 dout = 2가 들어옵니다. a와 b에는 각각 무엇을 "
                      "보낼까요?"),
                 ">>> from refimpl import textbook\n"
                 ">>> textbook.mul_backward(3.0, 4.0, 2.0)      # (dout * b, dout * a)\n"
                 "(8.0, 6.0)\n"),
        Exercise(Text("X has shape (4, 3) and W shape (3, 2). Predict `W.grad.shape` after "
                      "`sum(matmul(X, W)).backward()`.",
                      "X의 형상이 (4, 3), W가 (3, 2)입니다. `sum(matmul(X, W)).backward()` 뒤 "
                      "`W.grad.shape`을 예측하세요."),
                 ">>> import numpy as np\n>>> from refimpl import Variable, matmul, sum\n"
                 ">>> X, W = Variable(np.ones((4, 3))), Variable(np.ones((3, 2)))\n"
                 ">>> sum(matmul(X, W)).backward()\n>>> W.grad.shape\n(3, 2)\n"),
    ),
)
