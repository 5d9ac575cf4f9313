"""Page 12: the optimizers beyond plain gradient descent (beyond the posts)."""

from comparisons.learn.page import Exercise, Page, Run, Text


def seven_paths():
    import numpy as np
    from refimpl import SGD, AdaGrad, Adam, AdamW, RMSProp

    optimizers = {                                  # all with learning rate 0.1
        "SGD": lambda p: SGD(p, lr=0.1),
        "momentum": lambda p: SGD(p, lr=0.1, momentum=0.9),
        "Nesterov": lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        "AdaGrad": lambda p: AdaGrad(p, lr=0.1),
        "RMSProp": lambda p: RMSProp(p, lr=0.1, rho=0.9),
        "Adam": lambda p: Adam(p, lr=0.1),
        "AdamW": lambda p: AdamW(p, lr=0.1, weight_decay=0.1),
    }
    for name, make in optimizers.items():
        w = np.array([1.0])                         # f(w) = w^2 from w = 1; f'(w) = 2w
        opt = make([w])
        path = [w[0]]
        for _ in range(8):
            opt.step([2 * w])                       # the gradient, passed by hand
            path.append(w[0])
        print(f"{name:9}", " ".join(f"{v:+.3f}" for v in path))


def float32_exact():
    import numpy as np
    from comparisons.trajectory import RUNS, RUNS_BY_NAME, TrainCase
    from refimpl.training import trajectory

    def f32(v):                                     # a hyperparameter rounded through float32
        return tuple(map(f32, v)) if isinstance(v, tuple) else float(np.float32(v))

    for run in RUNS:
        moved = [k for k, v in run.hyper.items() if f32(v) != v]
        print(f"{run.name:9} {run.hyper}  changed by float32: {moved or 'nothing'}")

    def drift(name, hyper):                         # 100 steps on XOR: exact vs float32-rounded
        case = TrainCase("xor", 0)
        a, b = (trajectory("xor", *case.build("float64"), name, h)[1]
                for h in (hyper, {k: f32(v) for k, v in hyper.items()}))
        return max(float(np.max(np.abs(p - q))) for pa, pb in zip(a, b) for p, q in zip(pa, pb))

    usual = drift("adam", {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8})
    print(f"Adam, lr 0.01, betas (0.9, 0.999): weights differ by {usual:.1e}")
    print(f"Adam, the run's values:            weights differ by "
          f"{drift('adam', RUNS_BY_NAME['adam'].hyper):.1e}")


def adam_eps():
    import numpy as np
    from refimpl import Adam

    for eps_hat in (False, True):                   # one step from p = 0 with g = 1
        p = np.zeros(1)
        Adam([p], lr=1.0, betas=(0.9, 0.999), eps=1.0, eps_hat=eps_hat).step([np.ones(1)])
        print(f"eps_hat={eps_hat}:  p = {p[0]:.6f}")


def torch_adam():
    import torch

    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([p], lr=1.0, betas=(0.9, 0.999), eps=1.0)
    p.grad = torch.ones(1)                          # g = 1
    opt.step()
    print(f"p = {p.item():.6f}")                    # eps added to sqrt(v_hat)


def tensorflow_adam():
    import keras
    import numpy as np

    p = keras.Variable(np.zeros(1))
    opt = keras.optimizers.Adam(learning_rate=1.0, beta_1=0.9, beta_2=0.999, epsilon=1.0)
    opt.apply_gradients([(np.ones(1), p)])          # g = 1
    print(f"p = {float(p[0]):.6f}")                 # eps added to sqrt(v), before the correction


def jax_adam():
    import jax.numpy as jnp
    import optax

    opt = optax.adam(learning_rate=1.0, b1=0.9, b2=0.999, eps=1.0)
    p = jnp.zeros(1)
    updates, state = opt.update(jnp.ones(1), opt.init(p))     # g = 1
    print(f"p = {float(optax.apply_updates(p, updates)[0]):.6f}")


PAGE = Page(
    slug="optimizers",
    name="optimizers",
    korean="옵티마이저",
    posts=(),
    terms=(("optimizer", "옵티마이저"), ("gradient descent", "경사 하강법"),
           ("learning rate", "학습률"), ("momentum", "모멘텀"), ("velocity", "속도"),
           ("adaptive learning rate", "적응적 학습률"), ("bias correction", "편향 보정"),
           ("weight decay", "가중치 감쇠"), ("hyperparameter", "하이퍼파라미터"),
           ("gradient", "기울기, 그레이디언트")),
    example=Run(seven_paths, caption=Text(
        "Seven optimizers on the same 1-D quadratic f(w) = w², each from w = 1 with learning "
        "rate 0.1, eight steps each. SGD shrinks w by the same factor 0.8 every step; "
        "momentum and Nesterov go faster and overshoot past 0; AdaGrad's steps keep "
        "shrinking; Adam moves by about the learning rate each step.",
        "같은 1차원 이차 함수 f(w) = w²에서 일곱 옵티마이저를 비교합니다. 모두 w = 1, 학습률 "
        "0.1에서 여덟 단계씩 갑니다. SGD는 매 단계 w를 같은 비율 0.8로 줄이고, 모멘텀과 "
        "Nesterov는 더 빨리 가다가 0을 지나쳐 넘어가며, AdaGrad의 보폭은 계속 줄어들고, Adam은 "
        "매 단계 대략 학습률만큼 움직입니다.")),
    idea=Text(
        "Every optimizer (옵티마이저) moves each parameter against its gradient (기울기, "
        "그레이디언트), p ← p − lr · direction; they differ in the direction and its size.\n\n"
        "- **SGD**: the gradient itself, p ← p − lr g (gradient descent, 경사 하강법, on a "
        "mini-batch).\n"
        "- **Momentum** (모멘텀): a velocity (속도) v ← μ v + g sums past gradients, and p "
        "moves along v: faster down a steady slope, and it can overshoot.\n"
        "- **Nesterov**: the same velocity, but the step uses g + μ v, a look at where the "
        "velocity is carrying p.\n"
        "- **AdaGrad**, an adaptive learning rate (적응적 학습률; post 002 mentions such "
        "methods, which change the step size by themselves): divides each parameter's step "
        "by the root of the sum of its squared gradients so far; parameters with large "
        "gradients slow down, and the steps shrink as the sum grows.\n"
        "- **RMSProp**: AdaGrad with a running mean of g² (forgetting factor ρ) instead of the "
        "sum, so the steps do not die out.\n"
        "- **Adam**: momentum's running mean of g divided by RMSProp's root mean of g², both "
        "bias-corrected (편향 보정) because they start at 0; its first step is lr whatever "
        "the gradient's scale.\n"
        "- **AdamW**: Adam with decoupled weight decay (가중치 감쇠): p shrinks by lr · wd · p "
        "directly, instead of wd · p being added to the gradient, where Adam's division would "
        "rescale it.\n\n"
        "The comparison runs below train the XOR MLP (and a linear regression) for 100 steps "
        "in refimpl and in every framework; a float64 run must agree to 1e-10. Keras passes "
        "the learning rate, momentum and the betas through float32 even in a float64 run, and "
        "0.9 in float32 is 0.8999999762: over 100 steps of Adam the usual values drift apart "
        "by about 1e-8. So the runs use values float32 holds exactly: powers of two for the "
        "learning rates and weight decay (2⁻⁴ = 0.0625, 2⁻⁵ = 0.03125, 2⁻⁷ = 0.0078125), "
        "0.875 = 1 − 2⁻³ for momentum, ρ and β₁, and 1 − 2⁻¹⁰ = 0.9990234375 for β₂, next "
        "to the usual 0.999. Only eps (1e-8, 1e-10) is not exact, but it is added to the far "
        "larger √v: rounding it moves the Adam run by a few 1e-15. The results show both "
        "numbers.",
        "모든 옵티마이저(optimizer)는 각 파라미터를 기울기(gradient, 그레이디언트)의 반대 "
        "방향으로 옮깁니다: p ← p − lr · 방향. 방향과 그 크기를 정하는 방법이 다를 "
        "뿐입니다.\n\n"
        "- **SGD**: 기울기 그대로, p ← p − lr g (미니 배치에서의 경사 하강법(gradient "
        "descent)).\n"
        "- **모멘텀**(momentum): 속도(velocity) v ← μ v + g에 지난 기울기를 쌓고 p를 v 방향으로 "
        "옮깁니다. 꾸준한 경사에서는 빨라지고, 지나쳐 넘어갈 수 있습니다.\n"
        "- **Nesterov**: 같은 속도를 쓰되, g + μ v로 한 걸음 갑니다. 속도가 p를 데려갈 곳을 "
        "미리 보는 셈입니다.\n"
        "- **AdaGrad**, 적응적 학습률(adaptive learning rate; 포스트 002가 말한, 보폭을 스스로 "
        "바꾸는 방법): 파라미터마다 지금까지의 기울기 제곱합의 제곱근으로 보폭을 나눕니다. "
        "기울기가 큰 파라미터는 느려지고, 합이 커질수록 보폭은 줄어듭니다.\n"
        "- **RMSProp**: AdaGrad의 합 대신 g²의 이동 평균(running mean, 망각 계수 ρ)을 써서 "
        "보폭이 사라지지 않게 합니다.\n"
        "- **Adam**: 모멘텀의 g 이동 평균을 RMSProp의 g² 이동 평균의 제곱근으로 나눕니다. 둘 "
        "다 0에서 시작하므로 편향 보정(bias correction)을 합니다. 첫 걸음은 기울기의 크기와 "
        "상관없이 lr입니다.\n"
        "- **AdamW**: 가중치 감쇠(weight decay)를 분리한 Adam입니다. wd · p를 기울기에 더하면 "
        "Adam의 나눗셈이 그 크기를 바꾸므로, 대신 p를 lr · wd · p만큼 직접 줄입니다.\n\n"
        "아래 비교 실행은 XOR MLP(와 선형 회귀)를 refimpl과 모든 프레임워크에서 100단계 "
        "학습하며, float64 실행은 1e-10까지 일치해야 합니다. Keras는 float64 실행에서도 "
        "학습률, 모멘텀, 베타를 float32로 거치는데, 0.9는 float32에서 0.8999999762입니다: "
        "흔히 쓰는 값으로는 Adam 100단계 동안 약 1e-8까지 벌어집니다. 그래서 실행들은 "
        "float32가 정확히 담는 값을 씁니다: 학습률과 가중치 감쇠는 2의 거듭제곱(2⁻⁴ = "
        "0.0625, 2⁻⁵ = 0.03125, 2⁻⁷ = 0.0078125), 모멘텀, ρ, β₁은 0.875 = 1 − 2⁻³, β₂는 "
        "흔히 쓰는 0.999에 가까운 1 − 2⁻¹⁰ = 0.9990234375. eps(1e-8, 1e-10)만 정확하지 "
        "않지만, 훨씬 큰 √v에 더해지므로 반올림해도 Adam 실행은 1e-15의 몇 배만큼만 "
        "움직입니다. 결과에서 두 숫자를 확인할 수 있습니다."),
    frameworks=(
        Run(torch_adam, caption=Text(
            "The same name, two formulas: one Adam step from p = 0 with g = 1, lr = 1 and "
            "eps = 1. torch adds eps to √v̂ after the bias correction: p = −1 / (1 + 1) = −0.5.",
            "이름은 같고 공식은 둘: p = 0, g = 1, lr = 1, eps = 1에서 Adam 한 걸음. torch는 편향 "
            "보정 뒤의 √v̂에 eps를 더합니다: p = −1 / (1 + 1) = −0.5.")),
        Run(tensorflow_adam, caption=Text(
            "Keras adds eps to √v before the correction (Kingma and Ba's \"epsilon hat\"), so "
            "with eps = 1 the step is far smaller. refimpl computes both (`eps_hat=True`, "
            "under Results), and the comparison runs count this difference as a convention, "
            "not a defect.",
            "Keras는 보정 전의 √v에 eps를 더하므로(Kingma와 Ba의 \"epsilon hat\") eps = 1이면 "
            "보폭이 훨씬 작습니다. refimpl은 두 방식을 모두 계산하며(`eps_hat=True`, 결과 "
            "참고), 비교 실행은 이 차이를 결함이 아니라 프레임워크의 관례(convention)로 셉니다.")),
        Run(jax_adam, caption=Text(
            "optax, like torch, adds eps after the correction.",
            "optax는 torch처럼 보정 뒤에 eps를 더합니다.")),
    ),
    results=(
        Run(adam_eps, caption=Text(
            "refimpl's Adam, both ways: the default matches torch and optax, `eps_hat=True` "
            "matches Keras.",
            "refimpl의 Adam, 두 방식: 기본값은 torch, optax와 같고 `eps_hat=True`는 Keras와 "
            "같습니다.")),
        Run(float32_exact, caption=Text(
            "Why the runs' hyperparameters look odd: rounded through float32, as Keras does, "
            "they stay the same except eps. Over 100 steps of Adam on XOR, the usual values "
            "(0.01, 0.9, 0.999) against their float32 roundings end far apart; the runs' "
            "values, whose only change is eps, stay together to rounding error.",
            "실행의 하이퍼파라미터가 특이해 보이는 이유: Keras처럼 float32로 반올림해도 eps 말고는 "
            "그대로입니다. XOR에서 Adam 100단계 동안, 흔히 쓰는 값(0.01, 0.9, 0.999)과 그 "
            "float32 반올림은 크게 벌어지지만, eps만 바뀌는 실행의 값은 반올림 오차 수준으로 "
            "함께 갑니다.")),
    ),
    exercises=(
        Exercise(Text("Adam with lr = 0.1: how far does its first step move p, for a gradient "
                      "of 0.001, of 1, of 1000?",
                      "lr = 0.1인 Adam의 첫 걸음은 기울기가 0.001, 1, 1000일 때 각각 p를 얼마나 "
                      "옮길까요?"),
                 ">>> import numpy as np\n>>> from refimpl import Adam\n"
                 ">>> def first_step(g):\n"
                 "...     p = np.zeros(1)\n"
                 "...     Adam([p], lr=0.1).step([np.array([g])])\n"
                 "...     return round(float(-p[0]), 4)\n"
                 ">>> [first_step(g) for g in (0.001, 1.0, 1000.0)]   # m_hat / sqrt(v_hat) = 1\n"
                 "[0.1, 0.1, 0.1]\n"),
        Exercise(Text("On w² from w = 1, RMSProp with lr = 0.1 and ρ = 0.99 (torch's default) "
                      "lands on 0 in one step, to within eps. Why? (Hint: after one step "
                      "v = (1 − ρ) g².)",
                      "w = 1에서 w²에 lr = 0.1, ρ = 0.99(torch의 기본값)인 RMSProp를 쓰면 한 "
                      "걸음에 (eps만큼의 차이로) 0에 도착합니다. 왜일까요? (힌트: 한 걸음 뒤 "
                      "v = (1 − ρ) g².)"),
                 ">>> import numpy as np\n>>> from refimpl import RMSProp\n"
                 ">>> w = np.array([1.0])\n"
                 ">>> RMSProp([w], lr=0.1, rho=0.99).step([2 * w])\n"
                 ">>> round(float(w[0]), 6)      # step lr g / sqrt(0.01 g^2) = lr / 0.1 = 1\n0.0\n"),
        Exercise(Text("With a constant gradient g = 1, SGD with momentum 0.9 and lr = 0.01: how "
                      "big does the step become?",
                      "기울기가 g = 1로 일정할 때, 모멘텀 0.9, lr = 0.01인 SGD의 보폭은 얼마까지 "
                      "커질까요?"),
                 ">>> import numpy as np\n>>> from refimpl import SGD\n"
                 ">>> p = np.zeros(1); opt = SGD([p], lr=0.01, momentum=0.9)\n"
                 ">>> for _ in range(200):\n...     before = p[0]; opt.step([np.ones(1)])\n"
                 ">>> round(float(before - p[0]), 6)     # lr / (1 - momentum)\n0.1\n"),
    ),
)
