"""Page 5: backpropagation, every gradient from one backward pass (posts 003 and 001)."""

from comparisons.learn.page import Exercise, Page, Run, Text


def z_backward():
    from refimpl import Variable

    x, y = Variable(3.0, name="x"), Variable(2.0, name="y")
    z = x ** 2 + x * y + y             # forward: each node records how it was made
    z.backward(retain_grad=True)       # backward: from dz/dz = 1 back to x and y
    print("z =", z.data)
    print("x.grad =", x.grad, " y.grad =", y.grad)     # (2x + y, x + 1)


def used_twice():
    from refimpl import Variable

    x = Variable(3.0, name="x")
    y = x * x                          # x enters the mul node twice: a branch
    y.backward(retain_grad=True)
    print("y =", y.data, " x.grad =", x.grad)         # dout * x + dout * x = 2x


def one_pass():
    import numpy as np
    from refimpl import Variable, numerical_gradient, sum

    calls = []

    def loss(W):                       # the same code for arrays and for Variables
        calls.append(1)
        return sum(W * W)

    W0 = np.arange(6.0).reshape(2, 3)
    by_nudging = numerical_gradient(loss, W0)
    print("nudging:", len(calls), "evaluations of the loss for", W0.size, "weights")
    W = Variable(W0, name="W")
    loss(W).backward()
    print("backprop: 1 forward + 1 backward, same gradient:", np.allclose(W.grad, by_nudging))


def torch_z():
    import torch

    x, y = torch.tensor(3.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    z = x ** 2 + x * y + y
    z.backward(retain_graph=True)      # keep the graph for a second pass
    print("x.grad =", x.grad.item(), " y.grad =", y.grad.item())
    z.backward()                       # a second pass adds into .grad
    print("again:  x.grad =", x.grad.item(), " y.grad =", y.grad.item())


def tensorflow_z():
    import tensorflow as tf

    x, y = tf.Variable(3.0), tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:    # records the forward pass
        z = x ** 2 + x * y + y
    dx, dy = tape.gradient(z, [x, y])                 # returned, not stored on x and y
    print("dz/dx =", dx.numpy(), " dz/dy =", dy.numpy())
    print("again:", *(g.numpy() for g in tape.gradient(z, [x, y])))


def jax_z():
    import jax

    def z(x, y):
        return x ** 2 + x * y + y

    dz = jax.grad(z, argnums=(0, 1))   # a new function: no graph, no stored .grad
    print("dz/dx, dz/dy =", *(float(g) for g in dz(3.0, 2.0)))
    print("again:", *(float(g) for g in dz(3.0, 2.0)))


PAGE = Page(
    slug="backpropagation",
    name="backpropagation",
    korean="역전파",
    posts=("003", "001"),
    terms=(("backpropagation", "역전파"), ("forward pass", "순전파"),
           ("computational graph", "계산 그래프"), ("chain rule", "연쇄 법칙"),
           ("branch node", "분기 노드"), ("gradient", "기울기, 그레이디언트"),
           ("weight", "가중치"), ("learning rate", "학습률"), ("iteration", "이터레이션, 반복")),
    example=Run(z_backward, post="003", draw=("z",), caption=Text(
        "Post 003's z = x² + xy + y at x = 3, y = 2 once more, now with refimpl Variables: "
        "one call to `z.backward()` gives x.grad = 2x + y = 8 and y.grad = x + 1 = 4, the "
        "numbers the derivatives page found by nudging x and y one at a time. The graph shows "
        "each node's value and gradient.",
        "포스트 003의 z = x² + xy + y를 x = 3, y = 2에서 이번에는 refimpl의 Variable로 "
        "계산합니다. `z.backward()`를 한 번 호출하면 x.grad = 2x + y = 8, y.grad = x + 1 = 4를 "
        "얻습니다. 미분 페이지에서 x와 y를 하나씩 움직여 얻은 바로 그 값입니다. 그래프에는 "
        "각 노드의 값과 기울기가 표시됩니다.")),
    idea=Text(
        "Backpropagation (역전파) finds every partial derivative of one output in a single "
        "backward pass over the computational graph (계산 그래프). The forward pass (순전파) "
        "computes z node by node, and each result remembers the node that made it "
        "(`Variable.creator`). `z.backward()` starts from dz/dz = 1 and visits the nodes in "
        "reverse order: each multiplies the gradient arriving from its output by its own local "
        "derivative (page 4's chain rule, 연쇄 법칙) and hands the product to its "
        "inputs. Nudging needs two evaluations of the loss per weight; backpropagation needs "
        "one forward and one backward pass, however many weights there are.\n\n"
        "A value used in two places receives one gradient along each path, and they add up "
        "(the branch node, 분기 노드): in y = x * x at x = 3, each use of x sends 3 back, so "
        "x.grad = 6. Because gradients are summed, `backward()` *adds* into the `.grad` of a "
        "leaf (a variable you made, not a node's output) rather than replacing it: a second "
        "call adds the same gradients again, so a training loop clears them before every step "
        "(`zero_grad`).\n\n"
        "Post 001 builds training on it, in three steps: (1) compute the output from the "
        "current weights (가중치), the forward pass; (2) move each weight against the "
        "derivative of the error with respect to it, which is gradient descent (경사 하강법, "
        "page 8; the step is scaled by the learning rate, 학습률); (3) repeat, for a set "
        "number of iterations (반복) or until the error is small enough.",
        "역전파(backpropagation)는 계산 그래프(computational graph)를 거꾸로 한 번 지나가며 "
        "출력 하나에 대한 모든 편미분(partial derivative)을 구합니다. 순전파(forward pass)는 z를 노드 하나씩 "
        "계산하고, 각 결과는 자신을 만든 노드를 기억합니다(`Variable.creator`). "
        "`z.backward()`는 dz/dz = 1에서 시작해 노드를 거꾸로 방문합니다. 각 노드는 출력 쪽에서 "
        "들어온 기울기에 자신의 국소 미분을 곱해(4장의 연쇄 법칙, chain rule) 입력 쪽으로 "
        "넘깁니다. 하나씩 움직여 보는 수치 미분은 가중치마다 손실을 두 번 계산해야 하지만, "
        "역전파는 가중치가 몇 개든 순전파 한 번과 역전파 한 번이면 됩니다.\n\n"
        "두 곳에 쓰인 값은 경로마다 기울기를 하나씩 받고, 그 기울기들은 더해집니다(분기 노드, "
        "branch node). x = 3에서 y = x * x이면 x의 두 쓰임이 각각 3을 돌려보내므로 x.grad = "
        "6입니다. 기울기를 더하는 방식이므로 `backward()`는 말단 변수(leaf: 노드의 출력이 "
        "아니라 직접 만든 변수)의 `.grad`를 바꿔 쓰지 않고 *더합니다*. 두 번 호출하면 같은 "
        "기울기가 한 번 더 더해지므로, 학습 루프는 매 단계 전에 기울기를 지웁니다"
        "(`zero_grad`).\n\n"
        "포스트 001은 이를 바탕으로 학습을 세 단계로 나눕니다. (1) 지금의 가중치(weight)로 "
        "순전파를 해 출력을 얻습니다. (2) 가중치마다 오차의 기울기를 구해 그 반대 방향으로 "
        "가중치를 옮깁니다. 이것이 경사 하강법(gradient descent, 8장)이고, 한 번에 옮기는 "
        "크기는 학습률(learning rate)이 정합니다. (3) 정한 반복(iteration) 횟수를 채우거나 "
        "오차가 충분히 작아질 때까지 (1)과 (2)를 되풀이합니다."),
    frameworks=(
        Run(torch_z, caption=Text(
            "torch works as refimpl does: `backward()` stores the gradients in `.grad` and a "
            "second call adds to them (8, 4 become 16, 8).",
            "torch는 refimpl과 같습니다: `backward()`는 기울기를 `.grad`에 저장하고, 두 번째 "
            "호출은 거기에 더합니다(8, 4가 16, 8이 됨).")),
        Run(tensorflow_z, caption=Text(
            "TensorFlow records the forward pass on a tape; `tape.gradient` returns the "
            "gradients and stores nothing, so asking again gives the same numbers (a tape "
            "answers more than once only when made with `persistent=True`).",
            "TensorFlow는 순전파를 테이프(tape)에 기록합니다. `tape.gradient`는 기울기를 "
            "돌려줄 뿐 어디에도 저장하지 않으므로, 다시 물어도 같은 값이 나옵니다(테이프에 두 "
            "번 이상 물으려면 `persistent=True`로 만들어야 합니다).")),
        Run(jax_z, caption=Text(
            "jax keeps no graph: `jax.grad` turns the function z into a new function that "
            "returns its partial derivatives.",
            "jax는 그래프를 보관하지 않습니다: `jax.grad`는 함수 z를 편미분을 돌려주는 새 "
            "함수로 바꿉니다.")),
    ),
    results=(
        Run(used_twice, draw=("y",), caption=Text(
            "A value used twice: y = x * x at x = 3. The mul node sends dout · x = 3 to each "
            "of its two inputs, both of them x, and the two add up to x.grad = 6 = 2x.",
            "두 번 쓰인 값: x = 3에서 y = x * x. 곱셈 노드는 두 입력(둘 다 x)에 각각 "
            "dout · x = 3을 보내고, 두 값이 더해져 x.grad = 6 = 2x가 됩니다.")),
        Run(one_pass, caption=Text(
            "The cost that post 000 points out: nudging six weights one at a time evaluates "
            "the loss twelve times; backpropagation gets the same gradient from one forward "
            "and one backward pass.",
            "포스트 000이 지적한 비용: 가중치 여섯 개를 하나씩 움직이면 손실을 열두 번 "
            "계산합니다. 역전파는 순전파 한 번과 역전파 한 번으로 같은 기울기를 얻습니다.")),
    ),
    exercises=(
        Exercise(Text("z = x * x * x at x = 2: predict x.grad after `z.backward()`.",
                      "x = 2에서 z = x * x * x일 때 `z.backward()` 뒤 x.grad를 예측하세요."),
                 ">>> from refimpl import Variable\n"
                 ">>> x = Variable(2.0)\n>>> z = x * x * x\n>>> z.backward()\n"
                 ">>> float(x.grad)      # 3x^2\n12.0\n"),
        Exercise(Text("Call `y.backward()` twice on y = x * x at x = 3. What is x.grad after "
                      "each call?",
                      "x = 3에서 y = x * x에 `y.backward()`를 두 번 호출합니다. 호출할 때마다 "
                      "x.grad는 얼마일까요?"),
                 ">>> from refimpl import Variable\n"
                 ">>> x = Variable(3.0)\n>>> y = x * x\n"
                 ">>> y.backward(); float(x.grad)\n6.0\n"
                 ">>> y.backward(); float(x.grad)     # added, not replaced\n12.0\n"
                 ">>> x.zero_grad(); y.backward(); float(x.grad)\n6.0\n"),
        Exercise(Text("`refimpl.grad` works like `jax.grad`. Use it to get both partial "
                      "derivatives of z = x² + xy + y at x = 1, y = 5.",
                      "`refimpl.grad`는 `jax.grad`처럼 씁니다. x = 1, y = 5에서 "
                      "z = x² + xy + y의 두 편미분을 구하세요."),
                 ">>> from refimpl import grad\n"
                 ">>> dz = grad(lambda x, y: x ** 2 + x * y + y, argnums=(0, 1))\n"
                 ">>> [float(g) for g in dz(1.0, 5.0)]     # (2x + y, x + 1)\n[7.0, 2.0]\n"),
    ),
    symbols=("autodiff:Function", "autodiff:Variable.backward", "autodiff:grad"),
)
