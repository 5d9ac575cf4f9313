"""Page 3: derivatives, partial derivatives and the gradient, by numbers (posts 000, 003, 004)."""

from comparisons.learn.page import Code, Exercise, Page, Run, Text


def partial_derivatives():
    import numpy as np
    from refimpl import numerical_derivative, numerical_gradient

    print("slope of x^2 at x = 3:", numerical_derivative(lambda x: x ** 2, 3.0))   # 2x = 6

    def z(p):                          # z = x^2 + xy + y, p = (x, y)
        x, y = p
        return x ** 2 + x * y + y

    print("(dz/dx, dz/dy) at (3, 2):", numerical_gradient(z, np.array([3.0, 2.0])))
    print("(2x + y, x + 1) at (3, 2):", (2 * 3 + 2, 3 + 1))


def fixed_step():
    from refimpl import numerical_derivative, textbook

    def f(x):
        return x ** 2                          # f'(x) = 2x

    for x in (3.0, 1e6, 1e13):
        print(f"x = {x:<6g}  textbook {textbook.numerical_derivative(f, x):<12.10g}"
              f"  reference {numerical_derivative(f, x):<12.10g}  exact {2 * x:.10g}")


def torch_z():
    import torch

    x, y = torch.tensor(3.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    z = x ** 2 + x * y + y
    z.backward()
    print("z =", z.item(), " dz/dx =", x.grad.item(), " dz/dy =", y.grad.item())


def tensorflow_z():
    import tensorflow as tf

    x, y = tf.Variable(3.0), tf.Variable(2.0)
    with tf.GradientTape() as tape:
        z = x ** 2 + x * y + y
    dx, dy = tape.gradient(z, [x, y])
    print("z =", z.numpy(), " dz/dx =", dx.numpy(), " dz/dy =", dy.numpy())


def jax_z():
    import jax

    def z(x, y):
        return x ** 2 + x * y + y

    dx, dy = jax.grad(z, argnums=(0, 1))(3.0, 2.0)
    print("z =", float(z(3.0, 2.0)), " dz/dx =", float(dx), " dz/dy =", float(dy))


def gradient_shape():
    import numpy as np
    from refimpl import numerical_gradient

    W = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])    # a (2, 3) weight matrix

    def loss(W):
        return np.sum(W ** 2)                              # dL/dW = 2W

    dW = numerical_gradient(loss, W)
    print("W.shape =", W.shape, "  dW.shape =", dW.shape)
    print(dW)


def step_sizes():
    for h in (1e-1, 1e-4, 1e-8, 1e-12):                    # d(x^3)/dx at x = 2 is 12
        slope = ((2 + h) ** 3 - (2 - h) ** 3) / (2 * h)
        print(f"h = {h:<6}  slope = {slope:.12f}  error = {slope - 12:+.1e}")


PAGE = Page(
    slug="derivatives",
    name="derivatives",
    korean="미분",
    posts=("000", "003", "004"),
    terms=(("differentiation", "미분"), ("derivative at x", "미분값"),
           ("derivative as a function", "도함수"),
           ("slope", "기울기"), ("partial derivative", "편미분"),
           ("gradient", "그레이디언트, 기울기"), ("numerical derivative", "수치 미분"),
           ("central difference", "중심 차분"), ("shape", "형상"), ("weight", "가중치")),
    example=Run(partial_derivatives, post="003", caption=Text(
        "Post 003's z = x² + xy + y at x = 3, y = 2, differentiated by numbers: nudge x a "
        "little with y held fixed, then y with x held fixed. The slopes are the partial "
        "derivatives (2x + y, x + 1) = (8, 4).",
        "포스트 003의 z = x² + xy + y를 x = 3, y = 2에서 숫자로 미분합니다. y를 고정하고 x를 "
        "조금 움직이고, 다시 x를 고정하고 y를 조금 움직입니다. 그 기울기가 편미분 "
        "(2x + y, x + 1) = (8, 4)입니다.")),
    idea=Text(
        "The slope (기울기) of f at x is how much f moves for a tiny nudge of x, in the limit: "
        "the derivative of f at x (미분값). The function that gives this slope at every x is "
        "the **derivative** (도함수), 2x for x²; finding it is **differentiation** (미분). "
        "English says \"derivative\" for both the number and the function; Korean tells "
        "미분값 from 도함수.\n\n"
        "A computer can estimate a slope without algebra: nudge x by a small h both ways and "
        "divide, (f(x + h) - f(x - h)) / 2h, the **central difference** (중심 차분), a "
        "numerical derivative (수치 미분). It is an "
        "estimate, and h can be neither too large (the curve bends within h) nor too small "
        "(rounding eats the difference), as the results below show.\n\n"
        "With several inputs, the **partial derivative** (편미분) ∂z/∂x holds every other "
        "input constant: for z = x² + xy + y, ∂z/∂x = 2x + y and ∂z/∂y = x + 1. Collected into "
        "one array they form the **gradient** (그레이디언트, also called 기울기), which has the "
        "shape (형상) of the input: the gradient of a loss with respect to a (2, 3) W is (2, 3). "
        "Nudging costs two evaluations of the loss per weight, which is why post 000 calls "
        "it costly; backpropagation (역전파, page 5) gets every partial derivative from one backward "
        "pass.",
        "x에서 f의 기울기(slope)는 x를 아주 조금 움직일 때 f가 얼마나 움직이는지를 나타내는 "
        "극한값으로, x에서의 미분값입니다. 모든 x에서 이 기울기를 주는 함수가 **도함수**"
        "(derivative)이고(x²의 도함수는 2x), 도함수를 구하는 일이 **미분**(differentiation)"
        "입니다. 영어는 미분값과 도함수를 모두 derivative라고 부릅니다.\n\n"
        "컴퓨터는 식을 풀지 않고도 기울기를 어림할 수 있습니다. x를 작은 h만큼 양쪽으로 움직여 "
        "(f(x + h) - f(x - h)) / 2h를 계산하는 **중심 차분**(central difference), 곧 수치 "
        "미분(numerical derivative)입니다. 어림값이므로 h가 너무 크면 h 안에서 곡선이 휘고, "
        "너무 작으면 반올림 오차가 차이를 삼킵니다. 아래 결과에서 확인할 수 있습니다.\n\n"
        "변수가 여러 개이면 **편미분**(partial derivative) ∂z/∂x는 다른 변수를 모두 상수로 "
        "둡니다: z = x² + xy + y에서 ∂z/∂x = 2x + y, ∂z/∂y = x + 1입니다. 편미분을 한 배열로 "
        "모은 것이 **그레이디언트**(gradient, 기울기라고도 부름)이며 입력과 형상(shape)이 "
        "같습니다: (2, 3) 가중치 W에 대한 손실의 그레이디언트는 (2, 3)입니다. 이렇게 하나씩 "
        "움직이면 가중치 하나마다 손실을 두 번 계산해야 하므로 포스트 000은 비효율적이라고 "
        "말합니다. 역전파(backpropagation, 5장)는 역방향 계산 한 번으로 모든 편미분을 "
        "얻습니다."),
    code=(
        Code(Text("numerical derivative", "수치 미분"), ("textbook:numerical_derivative",),
             "derivatives:numerical_derivative", measured=Run(fixed_step), why=Text(
                 "The textbook form steps by a fixed h = 1e-4. Floats lie further apart as x "
                 "grows: near 1e6 they are about 1e-10 apart, so x + h is rounded and the "
                 "slope is off by 1.2; near 1e13 they are 0.002 apart, x + h "
                 "rounds back to x and the slope comes out 0. The reference scales the step to "
                 "x, h = ∛eps · max(1, |x|) ≈ 6e-6 · |x|, and divides by the distance actually "
                 "stepped, (x + h) - (x - h), instead of 2h.",
                 "교과서 형태는 h = 1e-4로 고정된 간격을 씁니다. 부동소수점 수는 x가 커질수록 "
                 "간격이 넓어집니다: 1e6 근처에서는 약 1e-10 간격이라 x + h가 반올림되어 "
                 "기울기가 1.2만큼 틀리고, 1e13 근처에서는 간격이 0.002라 x + h가 다시 "
                 "x로 반올림되어 기울기가 0이 됩니다. 참조 구현은 간격을 x에 맞춰 "
                 "h = ∛eps · max(1, |x|) ≈ 6e-6 · |x|로 잡고, 2h 대신 실제로 움직인 거리 "
                 "(x + h) - (x - h)로 나눕니다.")),
    ),
    frameworks=(Run(torch_z), Run(tensorflow_z), Run(jax_z)),
    results=(
        Run(gradient_shape, caption=Text(
            "Post 004: the gradient of a loss with respect to a (2, 3) weight matrix W is a "
            "(2, 3) matrix, one partial derivative per weight (here 2W).",
            "포스트 004: (2, 3) 가중치 행렬 W에 대한 손실의 기울기는 (2, 3) 행렬로, 가중치 "
            "하나마다 편미분이 하나씩 있습니다(여기서는 2W).")),
        Run(step_sizes, caption=Text(
            "The central difference of x³ at 2 (exactly 12) for four step sizes h: too large "
            "and the curve's bend shows (error h²), too small and rounding takes over.",
            "x = 2에서 x³의 중심 차분(정확한 값은 12)을 네 가지 h로 계산했습니다. h가 너무 크면 "
            "곡선의 휨이(오차 h²), 너무 작으면 반올림 오차가 드러납니다.")),
    ),
    exercises=(
        Exercise(Text("Estimate the derivative of x³ at x = 2 numerically. What does the "
                      "derivative 3x² give?",
                      "x = 2에서 x³의 미분값을 수치로 어림하세요. 도함수 3x²는 얼마를 줄까요?"),
                 ">>> from refimpl import numerical_derivative\n"
                 ">>> round(numerical_derivative(lambda x: x ** 3, 2.0), 6)   # 3 * 2**2\n"
                 "12.0\n"),
        Exercise(Text("Predict the partial derivatives of z = x² + xy + y at x = 1, y = 0.",
                      "x = 1, y = 0에서 z = x² + xy + y의 편미분을 예측하세요."),
                 ">>> import numpy as np\n>>> from refimpl import numerical_gradient\n"
                 ">>> z = lambda p: p[0] ** 2 + p[0] * p[1] + p[1]\n"
                 ">>> numerical_gradient(z, np.array([1.0, 0.0])).round(6)   # (2x + y, x + 1)\n"
                 "array([2., 2.])\n"),
        Exercise(Text("W has shape (3, 2). Predict the shape of the gradient of "
                      "`np.sum(W ** 2)` with respect to W.",
                      "W의 형상이 (3, 2)입니다. W에 대한 `np.sum(W ** 2)`의 그레이디언트 형상을 "
                      "예측하세요."),
                 ">>> import numpy as np\n>>> from refimpl import numerical_gradient\n"
                 ">>> numerical_gradient(lambda W: np.sum(W ** 2), np.ones((3, 2))).shape\n"
                 "(3, 2)\n"),
    ),
    symbols=("derivatives:numerical_gradient",),
)
