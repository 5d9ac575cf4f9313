"""Page 7: loss functions for regression, classification and probabilistic tasks (post 002)."""

from comparisons.learn.page import Code, Exercise, Page, Run, Text


def three_tasks():
    import numpy as np
    from refimpl import Variable, cross_entropy, gaussian_nll, mse

    # regression (회귀): the squared loss between predictions and targets
    y_hat, t = Variable(np.array([2.5, 0.0, 2.0])), np.array([3.0, -0.5, 2.0])
    L = mse(y_hat, t)
    L.backward()
    print("MSE =", round(float(L.data), 4), "  dL/dy_hat =", np.round(y_hat.grad, 4))

    # classification (분류): 10 classes, the target 'dog' is dimension 2, one-hot (원-핫)
    t = np.zeros((1, 10))
    t[0, 2] = 1.0
    x = Variable(np.array([[0.5, 1.0, 3.0, 0.2, 0.0, -1.0, 0.3, 0.1, -0.5, 0.8]]))   # logits
    L = cross_entropy(x, t)
    L.backward()
    print("one-hot t =", t[0])
    print("predicted class:", int(np.argmax(x.data)), "  cross-entropy =", round(float(L.data), 4))
    print("dL/dx =", np.round(x.grad[0], 3))     # softmax - one-hot: only the dog's is negative

    # probabilistic: a predicted age of 30 with variance 9 (3 years either way); it was 33
    L = gaussian_nll(np.array([30.0]), np.array([33.0]), np.array([9.0]))
    print("Gaussian NLL =", round(float(L), 4))


def torch_dog():
    import torch
    import torch.nn.functional as F

    x = torch.tensor([[0.5, 1.0, 3.0, 0.2, 0.0, -1.0, 0.3, 0.1, -0.5, 0.8]], requires_grad=True)
    L = F.cross_entropy(x, torch.tensor([2]))      # the class index 2, or a one-hot row
    L.backward()
    print("loss", round(L.item(), 4), " dL/dx[dog]", round(x.grad[0, 2].item(), 4))


def tensorflow_dog():
    import tensorflow as tf

    x = tf.Variable([[0.5, 1.0, 3.0, 0.2, 0.0, -1.0, 0.3, 0.1, -0.5, 0.8]])
    t = tf.one_hot([2], 10)
    with tf.GradientTape() as tape:
        L = tf.keras.losses.CategoricalCrossentropy(from_logits=True)(t, x)
    print("loss", round(float(L), 4), " dL/dx[dog]", round(float(tape.gradient(L, x)[0, 2]), 4))
    wrong = tf.keras.losses.CategoricalCrossentropy()(t, x)     # from_logits=False
    print("Keras' default reads the logits as probabilities:", round(float(wrong), 4))


def jax_dog():
    import jax
    import optax

    x = jax.numpy.array([[0.5, 1.0, 3.0, 0.2, 0.0, -1.0, 0.3, 0.1, -0.5, 0.8]])
    t = jax.nn.one_hot(jax.numpy.array([2]), 10)
    L, g = jax.value_and_grad(lambda x: optax.softmax_cross_entropy(x, t).mean())(x)
    print("loss", round(float(L), 4), " dL/dx[dog]", round(float(g[0, 2]), 4))


def mse_shapes():
    import numpy as np
    from refimpl import ShapeError, mse, textbook

    y_hat = np.array([[2.5], [0.0], [2.0]])    # (3, 1): one output per sample, as a layer gives
    t = np.array([3.0, -0.5, 2.0])             # (3,): the targets as a flat vector
    print("textbook:", textbook.mse(y_hat, t), " (the mean of a (3, 3) table)")
    print("intended:", textbook.mse(y_hat[:, 0], t))
    try:
        mse(y_hat, t)
    except ShapeError as e:
        print("reference:", e)


def logit_gap():
    import numpy as np
    from refimpl import cross_entropy, textbook

    x = np.array([[1000.0, 0.0]])               # two logits 1000 apart
    for t in (0, 1):
        print(f"target {t}: textbook", textbook.cross_entropy(x, np.array([t])),
              " reference", cross_entropy(x, np.array([t])))


PAGE = Page(
    slug="losses",
    name="losses",
    korean="손실 함수",
    posts=("002",),
    terms=(("loss function", "손실 함수"), ("regression", "회귀"), ("classification", "분류"),
           ("mean squared error, MSE", "평균 제곱 오차"), ("one-hot", "원-핫"),
           ("logit", "로짓"), ("cross-entropy", "교차 엔트로피"),
           ("negative log-likelihood", "음의 로그 우도"), ("shape", "형상")),
    example=Run(three_tasks, post="002", caption=Text(
        "Post 002's three tasks, each with its loss and the gradient backprop starts from: "
        "regression with the squared loss; classification into 10 classes, where the target "
        "'dog' is dimension 2 of a one-hot vector and the model outputs 10 logits; and a "
        "probabilistic prediction (an age, with how sure the model is).",
        "포스트 002의 세 가지 문제와 각각의 손실, 그리고 역전파가 출발하는 기울기입니다. 제곱 "
        "손실을 쓰는 회귀, 타깃 '강아지'가 원-핫 벡터의 2번 차원인 10개 클래스 분류(모델은 로짓 "
        "10개를 출력), 그리고 확률적 예측(나이와, 모델이 얼마나 확신하는지)입니다.")),
    idea=Text(
        "A loss function (손실 함수) turns the gap between the model's output and the target into "
        "one number that training makes smaller. Its gradient with respect to the output is where "
        "backprop starts.\n\n"
        "For **regression** (회귀) the output is a number and the loss is the mean squared error "
        "(평균 제곱 오차) mean((ŷ - t)²), with gradient 2(ŷ - t)/n. For **classification** (분류) "
        "into D classes the target is a one-hot (원-핫) vector: 1 in the target class's dimension, "
        "0 elsewhere. The model outputs D scores, the logits (로짓); softmax (소프트맥스 함수) "
        "turns them into probabilities, and the cross-entropy (교차 엔트로피) is -log of the "
        "target's probability. Its gradient is softmax - one-hot, negative for the target "
        "only, so a step against it raises the target's logit and lowers the others. For the "
        "answer only the order matters: the predicted class is the largest logit, so the "
        "target just has to beat the other D - 1 (here nine).\n\n"
        "For a **probabilistic** task (확률적 문제) the model predicts a distribution, here a "
        "mean and a variance, and the loss is the negative log-likelihood (음의 로그 우도) of the target "
        "under it, (log var + (mean - t)²/var)/2, leaving out the constant log(2π)/2 as torch "
        "does: a wide variance makes a miss cheap but costs ½ log var for being unsure.",
        "손실 함수(loss function)는 모델의 출력과 타깃의 차이를 하나의 숫자로 바꾸고, 학습은 이 "
        "숫자를 줄입니다. 출력에 대한 손실의 기울기가 역전파의 출발점입니다.\n\n"
        "**회귀**(regression)에서는 출력이 숫자이고, 손실은 평균 제곱 오차(mean squared error) "
        "mean((ŷ - t)²), 기울기는 2(ŷ - t)/n입니다. D개 클래스의 **분류**(classification)에서 "
        "타깃은 원-핫(one-hot) 벡터입니다: 타깃 클래스의 차원만 1이고 나머지는 0입니다. 모델은 "
        "점수 D개, 즉 로짓(logit)을 내고, 소프트맥스 함수(softmax)가 이를 확률로 바꾸며, 교차 "
        "엔트로피(cross-entropy)는 타깃 확률의 -log입니다. 기울기는 softmax - one-hot으로 타깃 "
        "자리만 음수이므로, 그 반대 방향으로 한 걸음 가면 타깃의 로짓은 올라가고 나머지는 "
        "내려갑니다. 예측에는 로짓의 크기 순서만 중요합니다: 가장 큰 로짓이 예측 클래스이므로, "
        "타깃이 나머지 D - 1개(여기서는 9개)보다 크기만 하면 됩니다.\n\n"
        "**확률적** 문제(probabilistic task)에서는 모델이 분포(여기서는 평균과 분산)를 예측하고, 손실은 그 분포에서 "
        "타깃의 음의 로그 우도(negative log-likelihood) (log var + (mean - t)²/var)/2입니다"
        "(torch처럼 상수 log(2π)/2는 뺍니다). 분산을 넓게 잡으면 빗나가도 손실이 적지만, "
        "확신하지 않는 대가로 ½ log var를 냅니다."),
    code=(
        Code(Text("mean squared error", "평균 제곱 오차"), ("textbook:mse", "textbook:mse_backward"),
             "losses:mse", op="mse", measured=Run(mse_shapes), why=Text(
                 "`y_hat - t` broadcasts. A layer's output of shape (3, 1) against targets of "
                 "shape (3,) makes a (3, 3) table of every prediction minus every target, and the "
                 "textbook form returns its mean: a wrong loss, without an error. The reference "
                 "refuses two different shapes (`_same_shape`) and offers the reductions "
                 "mean, sum and none.",
                 "`y_hat - t`는 브로드캐스팅됩니다. 형상(shape) (3, 1)인 층의 출력과 형상 (3,)인 "
                 "타깃을 빼면 모든 예측값에서 모든 타깃을 뺀 (3, 3) 표가 되고, 교과서 형태는 그 "
                 "평균을 돌려줍니다. 오류 없이 틀린 손실입니다. 참조 구현은 형상이 다르면 거부하고"
                 "(`_same_shape`), mean, sum, none 세 가지 축약 방식(reduction)을 "
                 "제공합니다.")),
        Code(Text("cross-entropy", "교차 엔트로피"),
             ("textbook:cross_entropy", "textbook:cross_entropy_backward"),
             "losses:cross_entropy", op="cross_entropy", measured=Run(logit_gap), why=Text(
                 "The textbook form takes the log of softmax's output plus 1e-7, so that a "
                 "probability rounded to 0 does not give log 0. With logits 1000 apart, the "
                 "wrong class's probability is e^-1000, which rounds to 0: the textbook loss "
                 "stops at -log(1e-7) = 16.1 where the true loss is 1000, and a sure right "
                 "answer costs -1e-7, below 0. The reference computes log-softmax directly, "
                 "(x - max) - log(sum e^(x - max)) (`log_softmax`, in the activations page's "
                 "table), and needs no 1e-7. It also takes the target as class indices or as "
                 "one-hot rows, as the example above does.",
                 "교과서 형태는 소프트맥스 출력에 1e-7을 더해 log를 취합니다. 0으로 반올림된 확률이 "
                 "log 0이 되지 않게 하려는 것입니다. 로짓이 1000 차이 나면 틀린 클래스의 확률은 "
                 "e^-1000이라 0으로 반올림됩니다. 그러면 교과서 손실은 참값 1000 대신 -log(1e-7) = "
                 "16.1에서 멈추고, 확실히 맞힌 답은 0보다 작은 -1e-7이 됩니다. 참조 구현은 "
                 "log-softmax를 (x - max) - log(sum e^(x - max))로 직접 계산하므로(활성화 함수 "
                 "페이지 표의 `log_softmax`) 1e-7이 필요 없습니다. 또한 타깃을 클래스 번호로도, "
                 "위 예제처럼 원-핫 행으로도 받습니다.")),
    ),
    frameworks=(Run(torch_dog), Run(tensorflow_dog, caption=Text(
        "Keras' `CategoricalCrossentropy` expects probabilities unless told `from_logits=True`; "
        "given logits by default, it returns a different number without a warning.",
        "Keras의 `CategoricalCrossentropy`는 `from_logits=True`라고 알려 주지 않으면 확률을 "
        "기대합니다. 기본값으로 로짓을 넣으면 경고 없이 다른 값을 돌려줍니다.")), Run(jax_dog)),
    exercises=(
        Exercise(Text("Predict the MSE of ŷ = [1, 2, 3] against t = [1, 2, 5], and its gradient.",
                      "ŷ = [1, 2, 3]과 t = [1, 2, 5]의 MSE와 그 기울기를 예측하세요."),
                 ">>> import numpy as np\n>>> from refimpl import Variable, mse\n"
                 ">>> y_hat = Variable(np.array([1.0, 2.0, 3.0]))\n"
                 ">>> L = mse(y_hat, np.array([1.0, 2.0, 5.0]))\n>>> L.backward()\n"
                 ">>> float(L.data), y_hat.grad                 # (0 + 0 + 4) / 3, 2(ŷ - t) / 3\n"
                 "(1.3333333333333333, array([ 0.        ,  0.        , -1.33333333]))\n"),
        Exercise(Text("All 10 logits are equal. What is the cross-entropy, whatever the target?",
                      "로짓 10개가 모두 같습니다. 타깃이 무엇이든 교차 엔트로피는 얼마일까요?"),
                 ">>> import numpy as np\n>>> from refimpl import cross_entropy\n"
                 ">>> float(cross_entropy(np.zeros((1, 10)), np.array([2])))   # -log(1/10)\n"
                 "2.302585092994046\n"),
        Exercise(Text("Two classes, logits [0, 0], target class 0: what is dL/dx?",
                      "클래스 2개, 로짓 [0, 0], 타깃 클래스 0일 때 dL/dx는?"),
                 ">>> import numpy as np\n>>> from refimpl import Variable, cross_entropy\n"
                 ">>> x = Variable(np.zeros((1, 2)))\n"
                 ">>> cross_entropy(x, np.array([0])).backward()\n"
                 ">>> x.grad                                   # softmax - one-hot\n"
                 "array([[-0.5,  0.5]])\n"),
    ),
)
