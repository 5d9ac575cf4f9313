"""Page 2: vectors and matrices, the dot product and the matrix product's shapes (post 004)."""

from comparisons.learn.page import Exercise, Page, Run, Text


def dot_and_shapes():
    import numpy as np
    from refimpl import cosine_similarity, dot, matmul, matmul_shape

    u, v = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    print("u . v =", dot(u, v))                            # 1*4 + 2*5 + 3*6
    n = np.array([0.6, 0.8])                               # length 1: 0.36 + 0.64 = 1
    print("n . n =", dot(n, n), "  n . -n =", dot(n, -n))  # same direction, opposite
    print("cos(u, 2u) =", cosine_similarity(u, 2 * u), "  cos(u, -u) =", cosine_similarity(u, -u))
    print("(2, 3) @ (3, 4) ->", matmul_shape((2, 3), (3, 4)))

    N = 4                                                  # a mini-batch of N samples
    X = np.arange(8.0).reshape(N, 2)                       # each row: one sample, 2 features
    W, b = np.ones((2, 3)), np.zeros(3)                    # a layer: 2 -> 3
    print("X", X.shape, "@ W", W.shape, "+ b", b.shape, "->", (matmul(X, W) + b).shape)


def shape_error():
    import numpy as np
    from refimpl import ShapeError, matmul

    X, W = np.ones((4, 2)), np.ones((3, 2))
    try:
        matmul(X, W)                  # the inner sizes 2 and 3 differ
    except ShapeError as e:
        print(e)
    print("with W.T:", matmul(X, W.T).shape)


PAGE = Page(
    slug="vectors-and-matrices",
    name="vectors and matrices",
    korean="벡터와 행렬",
    posts=("004",),
    terms=(("vector", "벡터"), ("matrix", "행렬"), ("row, column", "행, 열"),
           ("dot product", "내적"), ("cosine similarity", "코사인 유사도"),
           ("matrix product", "행렬의 곱"), ("shape", "형상"), ("mini-batch", "미니 배치"),
           ("weight, bias", "가중치, 편향")),
    example=Run(dot_and_shapes, post="004", caption=Text(
        "The dot product adds the products of matching entries. For vectors of length 1 it is "
        "1 in the same direction and -1 in the opposite one, as the post says; the cosine "
        "similarity divides by the lengths, so vectors of any length give 1 and -1. A (2, 3) "
        "matrix times a (3, 4) one is (2, 4), and a mini-batch X of shape (N, 2) through a "
        "2 → 3 layer gives (N, 3).",
        "내적(dot product)은 대응하는 원소들의 곱을 모두 더한 값입니다. 포스트의 설명대로 길이가 "
        "1인 벡터끼리는 같은 방향이면 1, 반대 방향이면 -1입니다. 코사인 유사도(cosine "
        "similarity)는 길이로 나누므로 길이와 상관없이 같은 방향이면 1, 반대 방향이면 -1입니다. "
        "(2, 3) 행렬과 (3, 4) "
        "행렬의 곱은 (2, 4)이고, 형상이 (N, 2)인 미니 배치 X를 2 → 3 층에 통과시키면 (N, 3)이 "
        "됩니다.")),
    idea=Text(
        "A vector (벡터) is a row of numbers, a rank-1 array; a matrix (행렬) a rectangle of "
        "them, rows (행) by columns (열). The **dot product** (내적) of two vectors of the "
        "same length multiplies matching entries and adds them up. It says how much the two "
        "point the same way: for vectors of length 1 it runs from 1 (same direction) through 0 "
        "(perpendicular) to -1 (opposite). Dividing by the two lengths gives the cosine "
        "similarity (코사인 유사도), which works for vectors of any length.\n\n"
        "In the **matrix product** (행렬의 곱) A @ B, entry (i, j) is the dot product of row i "
        "of A with column j of B. So A's columns must be as many as B's rows, and the result "
        "has A's rows and B's columns: **(n, k) @ (k, m) → (n, m)**. Checking shapes (형상) "
        "this way catches most mistakes before any number is computed.\n\n"
        "A layer's weighted sum is one matrix product: a mini-batch (미니 배치) X holds one "
        "sample per row, "
        "shape (N, 2); the weights (가중치) W are (2, 3) and the bias (편향) b is (3,), added to "
        "every row. X @ W + b is (N, 3) for every N: the batch size never changes W.",
        "벡터(vector)는 숫자를 일렬로 늘어놓은 랭크-1 배열이고, 행렬(matrix)은 숫자를 행(row)과 "
        "열(column)의 사각형으로 늘어놓은 것입니다. 길이가 같은 두 벡터의 **내적**(dot product)"
        "은 대응하는 원소끼리 곱해 모두 더한 값입니다. 내적은 두 벡터가 얼마나 같은 방향을 "
        "향하는지 알려 줍니다: 길이가 1인 벡터라면 같은 방향일 때 1, 수직일 때 0, 반대 방향일 "
        "때 -1입니다. 두 벡터의 길이로 나누면 어떤 길이의 벡터에도 쓸 수 있는 코사인 유사도"
        "(cosine similarity)가 됩니다.\n\n"
        "**행렬의 곱**(matrix product) A @ B의 (i, j) 원소는 A의 i행과 B의 j열의 내적입니다. "
        "그래서 A의 열 수와 B의 행 수가 같아야 하고, 결과는 A의 행 수와 B의 열 수를 가집니다: "
        "**(n, k) @ (k, m) → (n, m)**. 이렇게 형상(shape)을 먼저 확인하면 숫자를 계산하기 전에 "
        "대부분의 실수를 잡을 수 있습니다.\n\n"
        "신경망 층 하나의 가중합은 행렬의 곱 하나입니다. 미니 배치(mini-batch) X는 한 행에 샘플 "
        "하나씩, "
        "형상 (N, 2)이고, 가중치(weight) W는 (2, 3), 편향(bias) b는 (3,)으로 모든 행에 "
        "더해집니다. X @ W + b는 N이 얼마이든 (N, 3)입니다: 배치 크기가 바뀌어도 W는 그대로입니다."),
    results=(
        Run(shape_error, caption=Text(
            "When the inner sizes differ, the product is undefined; refimpl's error states the "
            "rule and which sizes broke it.",
            "안쪽 크기가 다르면 행렬의 곱은 정의되지 않습니다. refimpl의 오류 메시지는 규칙과 "
            "어느 크기가 맞지 않는지 알려 줍니다.")),
    ),
    exercises=(
        Exercise(Text("A mini-batch of 20 samples with 3 features goes through a 3 → 4 layer. "
                      "Predict the shape of X @ W.",
                      "특성 3개짜리 샘플 20개의 미니 배치가 3 → 4 층을 통과합니다. X @ W의 "
                      "형상을 예측하세요."),
                 ">>> from refimpl import matmul_shape\n"
                 ">>> matmul_shape((20, 3), (3, 4))\n(20, 4)\n"),
        Exercise(Text("X is (8, 2), W1 is (2, 3), W2 is (3, 1). Predict the shape of "
                      "(X @ W1) @ W2.",
                      "X가 (8, 2), W1이 (2, 3), W2가 (3, 1)입니다. (X @ W1) @ W2의 형상을 "
                      "예측하세요."),
                 ">>> from refimpl import matmul_shape\n"
                 ">>> matmul_shape(matmul_shape((8, 2), (2, 3)), (3, 1))\n(8, 1)\n"),
        Exercise(Text("Predict the dot product of [1, 2, 3] and [-3, 0, 1]. What does it say "
                      "about their directions?",
                      "[1, 2, 3]과 [-3, 0, 1]의 내적을 예측하세요. 두 벡터의 방향에 대해 무엇을 "
                      "말해 줄까요?"),
                 ">>> import numpy as np\n>>> from refimpl import dot\n"
                 ">>> float(dot(np.array([1.0, 2.0, 3.0]), np.array([-3.0, 0.0, 1.0])))"
                 "   # perpendicular\n0.0\n"),
    ),
    symbols=("tensors:matmul_shape",),
)
