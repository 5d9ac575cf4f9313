"""Page 9: the perceptron learns AND, OR, NAND and cannot learn XOR (post 001)."""

from comparisons.learn import figures
from comparisons.learn.page import Code, Exercise, Figure, Page, Run, Text


def four_gates():
    import numpy as np
    from refimpl import Perceptron

    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    gates = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}
    for gate, t in gates.items():
        p = Perceptron(2)                          # starts at w = (0, 0), b = 0
        fit = p.fit(x, np.array(t), max_epochs=1000)
        print(f"{gate:4}  t = {t}  y = {p.predict(x).astype(int).tolist()}  "
              f"converged={fit.converged}  epochs={len(fit.errors)}  cycled={fit.cycled}")
        print(f"      w = {p.w}, b = {p.b}, wrong answers per epoch: {fit.errors}")


def xor_cycle():
    import numpy as np
    from refimpl import Perceptron

    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); t = np.array([0, 1, 1, 0])   # XOR
    p = Perceptron(2)
    p.fit(x, t, max_epochs=2)                      # the first two epochs
    print("epoch 3 starts at w =", p.w, " b =", p.b)
    for xi, ti in zip(x, t):                       # epoch 3, the rule written out (lr = 1)
        y = int(p.predict(xi))
        p.w, p.b = p.w + (ti - y) * xi, p.b + (ti - y)
        print(f"x = {xi}  t = {ti}  y = {y}  ->  w = {p.w}, b = {p.b}")


def step_nan():
    import numpy as np
    from refimpl import step, textbook

    x = np.array([-1.0, 0.0, 2.0, np.nan])
    print("textbook: ", textbook.step(x), textbook.step(x).dtype)
    print("reference:", step(x), step(x).dtype)


PAGE = Page(
    slug="perceptron-xor",
    name="perceptron and XOR",
    korean="퍼셉트론과 XOR",
    posts=("001",),
    terms=(("perceptron", "퍼셉트론"), ("single-layer perceptron", "단층 퍼셉트론"),
           ("weight, bias", "가중치, 편향"), ("step function", "계단 함수"),
           ("threshold", "임계치"), ("linearly separable", "선형 분리 가능"),
           ("decision boundary", "결정 경계"), ("epoch", "에포크"),
           ("exclusive OR, XOR", "배타적 논리합")),
    example=Run(four_gates, post="001", caption=Text(
        "Post 001's claim, run: one perceptron learns AND and OR (and NAND), but not XOR. "
        "Each starts at w = 0, b = 0 and applies the perceptron rule sample by sample until "
        "an epoch (에포크) has no wrong answer. On XOR the weights at the start of an epoch repeat an "
        "earlier epoch's (`cycled=True`), so the rule would loop for ever.",
        "포스트 001의 주장을 실행해 봅니다: 퍼셉트론 하나는 AND와 OR(그리고 NAND)은 배우지만 "
        "XOR은 배우지 못합니다. 각각 w = 0, b = 0에서 시작해, 한 에포크(epoch) 동안 틀린 답이 "
        "없을 때까지 샘플마다 퍼셉트론 규칙을 적용합니다. XOR에서는 에포크를 시작할 때의 "
        "가중치가 앞선 에포크의 시작과 같아지므로(`cycled=True`) 규칙은 영원히 맴돕니다.")),
    idea=Text(
        "A perceptron (퍼셉트론) multiplies its inputs by weights (가중치), adds a bias (편향) "
        "and passes the sum through a step function (계단 함수): y = 1 if x · w + b > 0, "
        "else 0. The bias plays the part of the threshold (임계치). With no hidden layer "
        "this is the single-layer perceptron (단층 퍼셉트론). It learns without any "
        "derivative: after each wrong answer, w ← w + (t − y) x and b ← b + (t − y). A wrong "
        "0 (t = 1) pulls w towards x and raises b; a wrong 1 (t = 0) pushes w away from x and "
        "lowers b. Either way the score x · w + b of that sample moves towards the right "
        "answer.\n\n"
        "The perceptron says 1 on one side of the line x · w + b = 0, its decision boundary "
        "(결정 경계), and 0 on the other. So it can learn a gate only if one straight line "
        "puts the 1s on one side and the 0s on the other: the gate must be **linearly "
        "separable** (선형 분리 가능). AND, OR and NAND are, and then the rule is proved to "
        "stop. XOR is not: (0, 0) → 0 needs b ≤ 0; (0, 1) → 1 and (1, 0) → 1 need w₂ + b > 0 "
        "and w₁ + b > 0; adding those two, w₁ + w₂ + b > −b ≥ 0, so (1, 1) would say 1, not "
        "0. No w and b exist, and the rule goes round in circles: below, epoch 3 ends where "
        "it began. One more layer removes the limit (the next page, MLP).",
        "퍼셉트론(perceptron)은 입력에 가중치(weight)를 곱해 더하고 편향(bias)을 더한 뒤, 그 "
        "합을 계단 함수(step function)에 통과시킵니다: x · w + b > 0이면 y = 1, 아니면 0. "
        "편향이 임계치(threshold) 역할을 합니다. 은닉층이 없는 이 구조가 단층 퍼셉트론"
        "(single-layer perceptron)입니다. 학습에는 미분이 필요 없습니다: 틀릴 때마다 "
        "w ← w + (t − y) x, b ← b + (t − y). 0으로 잘못 답하면(t = 1) w를 x 쪽으로 당기고 b를 "
        "올리며, 1로 잘못 답하면(t = 0) w를 x에서 밀어내고 b를 내립니다. 어느 쪽이든 그 "
        "샘플의 점수 x · w + b가 정답 쪽으로 움직입니다.\n\n"
        "퍼셉트론은 직선 x · w + b = 0, 곧 결정 경계(decision boundary)의 한쪽에서는 1, 다른 "
        "쪽에서는 0을 답합니다. 그래서 직선 하나로 1과 0을 양쪽에 나눌 수 있는 게이트, 즉 "
        "**선형 분리 가능**(linearly separable)한 게이트만 배울 수 있습니다. AND, OR, NAND는 "
        "그렇고, 이때 규칙은 반드시 멈춘다는 것이 증명되어 있습니다. XOR은 아닙니다: "
        "(0, 0) → 0이려면 b ≤ 0, (0, 1) → 1과 (1, 0) → 1이려면 w₂ + b > 0, w₁ + b > 0. 두 "
        "식을 더하면 w₁ + w₂ + b > −b ≥ 0이므로 (1, 1)에서 0이 아니라 1을 답하게 됩니다. "
        "그런 w와 b는 없고, 규칙은 제자리를 맴돕니다: 아래 결과에서 에포크 3은 시작한 곳에서 "
        "끝납니다. 층을 하나 더하면 이 한계가 사라집니다(다음 페이지, MLP)."),
    code=(
        Code(Text("step function", "계단 함수"), ("textbook:step",), "activations:Step",
             op="step", measured=Run(step_nan), why=Text(
                 "`x > 0` is the whole function, and for the perceptron it is enough. The "
                 "reference keeps the input's dtype and lets NaN through, where `NaN > 0` is "
                 "False and the textbook form quietly answers 0. Its derivative, 0 wherever it "
                 "exists, is why the perceptron has its own rule instead of backpropagation.",
                 "`x > 0`이 함수의 전부이고, 퍼셉트론에는 이것으로 충분합니다. 참조 구현은 "
                 "입력의 dtype을 유지하고 NaN을 그대로 내보냅니다. `NaN > 0`은 False이므로 교과서 "
                 "형태는 조용히 0을 답합니다. 도함수가 존재하는 곳에서 모두 0이라는 점 때문에 "
                 "퍼셉트론은 역전파 대신 자기만의 규칙으로 학습합니다.")),
    ),
    results=(
        Figure("perceptron_errors", lambda lang: figures.perceptron_errors(lang=lang), Text(
            "Wrong answers (of 4) in each epoch, the rule run for 12 epochs without stopping: "
            "AND, OR and NAND reach 0 and stay there; XOR gets all four wrong in every epoch "
            "from the third on.",
            "에포크마다 틀린 개수(4개 중), 멈추지 않고 12 에포크 동안 규칙을 적용한 결과: AND, "
            "OR, NAND는 0에 도달해 머물고, XOR은 세 번째 에포크부터 매번 네 개를 모두 "
            "틀립니다.")),
        Run(xor_cycle, caption=Text(
            "Why XOR never settles: in epoch 3 every sample is answered wrongly, so each one "
            "moves w and b, and the four moves cancel: w and b end the epoch where they began.",
            "XOR이 끝나지 않는 이유: 에포크 3에서는 모든 샘플을 틀리므로 샘플마다 w와 b가 "
            "움직이고, 네 번의 움직임이 서로 상쇄됩니다: w와 b는 에포크를 시작한 곳에서 "
            "끝납니다.")),
    ),
    exercises=(
        Exercise(Text("Which of NOR (t = 1, 0, 0, 0) and XNOR (t = 1, 0, 0, 1) can one "
                      "perceptron learn? Predict, then check.",
                      "NOR(t = 1, 0, 0, 0)와 XNOR(t = 1, 0, 0, 1) 중 퍼셉트론 하나가 배울 수 "
                      "있는 것은? 예측한 뒤 확인하세요."),
                 ">>> import numpy as np\n>>> from refimpl import Perceptron\n"
                 ">>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])\n"
                 ">>> [Perceptron(2).fit(x, np.array(t), max_epochs=1000).converged\n"
                 "...  for t in ([1, 0, 0, 0], [1, 0, 0, 1])]       # NOR, XNOR\n"
                 "[True, False]\n"),
        Exercise(Text("Start at w = (0, 0), b = 0 and run one epoch of the rule on AND by hand. "
                      "Which samples are wrong, and what are w and b after the epoch?",
                      "w = (0, 0), b = 0에서 시작해 AND에 규칙을 한 에포크 손으로 적용해 보세요. "
                      "어느 샘플이 틀리고, 에포크 뒤 w와 b는 얼마일까요?"),
                 ">>> import numpy as np\n>>> from refimpl import Perceptron\n"
                 ">>> p = Perceptron(2)\n"
                 ">>> fit = p.fit(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 0, 0, 1]),\n"
                 "...            max_epochs=1)\n"
                 ">>> fit.errors, p.w.tolist(), float(p.b)     # only (1, 1): score 0 says 0\n"
                 "([1], [1.0, 1.0], 1.0)\n"),
        Exercise(Text("Set the weights by hand: w = (0.5, 0.5) with b = -0.7 makes AND. Change "
                      "only b to make OR.",
                      "가중치를 손으로 정해 봅니다: w = (0.5, 0.5), b = -0.7이면 AND입니다. b만 "
                      "바꿔 OR을 만드세요."),
                 ">>> import numpy as np\n>>> from refimpl import Perceptron\n"
                 ">>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])\n"
                 ">>> p = Perceptron(2); p.w = np.array([0.5, 0.5])\n"
                 ">>> p.b = -0.7; p.predict(x).tolist()\n[0.0, 0.0, 0.0, 1.0]\n"
                 ">>> p.b = -0.2; p.predict(x).tolist()\n[0.0, 1.0, 1.0, 1.0]\n"),
    ),
    symbols=("models:Perceptron", "models:Perceptron.fit"),
)
