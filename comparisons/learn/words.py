"""The learning pages' own words (headings, labels, the legend, the guide), in English
and Korean; each page's prose is in its module in pages/."""

from comparisons.learn.page import Text

WORDS = {   # the pages' own words, in both languages
    "example": Text("Worked example", "예제"), "post": Text("from post", "출처: 포스트"),
    "output": Text("Output", "출력"), "idea": Text("The idea", "핵심"),
    "code": Text("Code: the textbook form first", "코드: 교과서 형태 먼저"),
    "textbook": Text("textbook form", "교과서 형태"), "reference": Text("reference", "참조 구현"),
    "why": Text("Why the reference is more careful", "참조 구현이 더 조심스러운 이유"),
    "chain": Text("its backward is the chain rule: dout times the local derivative, for every "
                  "subclass", "이 클래스의 backward가 연쇄 법칙입니다: 모든 하위 클래스에서 dout에 "
                  "국소 미분을 곱합니다"),
    "frameworks": Text("In the frameworks", "프레임워크에서"),
    "table": Text("Every op of this page, and its twin in each framework (one line where the "
                  "twin is one call; the link opens the code):",
                  "이 페이지의 모든 연산과 프레임워크별 짝(twin) 구현 (한 줄이면 그 호출을, "
                  "아니면 코드 링크를 보입니다):"),
    "results": Text("Results", "결과"), "exercises": Text("Exercises", "연습 문제"),
    "answer": Text("Answer (checked by doctest)", "정답 (doctest로 검사됨)"),
    "terms": Text("Terms", "용어"), "all": Text("all pages", "전체 목록"),
    "title": Text("Learn: deep-learning basics, side by side", "배우기: 딥러닝 기초를 나란히"),
    "guide": Text(
        "Read the pages in order: they follow the Korean introductory posts (tensors, "
        "derivatives, the chain rule and backpropagation, activations and losses, gradient "
        "descent, the perceptron, XOR and the MLP, the training loop), and the last one goes "
        "beyond them. Each opens with its post's worked example, run when the page was made; "
        "then the idea, the code as a textbook writes it and as the reference does, the same "
        "example in torch, TensorFlow and JAX, results and exercises. All of it on one page, "
        "with the frameworks' code in tabs: `learn.html`.",
        "순서대로 읽으세요. 페이지들은 한국어 입문 포스트의 순서(텐서, 미분, 연쇄 법칙과 역전파, "
        "활성화 함수와 손실 함수, 경사 하강법, 퍼셉트론과 XOR, 다층 퍼셉트론, 학습 루프)를 따르고, "
        "마지막 페이지는 포스트의 범위를 넘어섭니다. 각 페이지는 포스트의 예제로 시작하며, 그 "
        "코드는 페이지를 만들 때 실제로 실행됩니다. 이어서 핵심 개념, 교과서 형태와 참조 구현의 "
        "코드, torch·TensorFlow·JAX로 옮긴 같은 예제, 결과, 연습 문제가 나옵니다. 전체를 한 "
        "페이지에서 프레임워크별 탭과 함께 보려면 `learn.ko.html`을 여세요."),
    "generated": Text("Generated from the code by `refimpl report`; do not edit by hand.",
                      "`refimpl report`가 코드에서 만든 페이지입니다. 손으로 고치지 마세요."),
    "parity": Text("parity report", "패리티 보고서"), "lang": Text("한국어", "English"),
    "beyond": Text("This page goes beyond the source posts.", "이 페이지는 원문 포스트의 범위를 "
                   "넘어서는 내용입니다."),
    "own": Text("Write your own and check it", "직접 구현하고 검사하기"),
    "own_text": Text(
        "`refimpl new-impl mine` writes `mine/__init__.py` with a stub for every op (forward "
        "and backward, in this order of pages). Fill in the ops of this page, then "
        "`refimpl check mine --ops {ops}` judges them against the reference in every dtype and "
        "prints, for a failure, the smallest input that shows it. `refimpl/textbook.py`, the "
        "textbook forms these pages show first, is such a module: "
        "`refimpl check refimpl.textbook` shows where each breaks.",
        "`refimpl new-impl mine`은 모든 연산의 빈 틀(forward와 backward, 이 페이지 순서)을 "
        "`mine/__init__.py`에 만듭니다. 이 페이지의 연산을 채운 뒤 "
        "`refimpl check mine --ops {ops}`를 실행하면 모든 dtype에서 참조 구현과 비교하고, 틀린 "
        "곳은 그것을 보여 주는 가장 작은 입력을 출력합니다. 이 페이지들이 먼저 보여 주는 교과서 형태를 모은 "
        "`refimpl/textbook.py`도 그런 모듈입니다: `refimpl check refimpl.textbook`은 각 형태가 "
        "어디서 틀리는지 보여 줍니다."),
    "legend": Text(
        "Measured: what the last `refimpl report` found for the op, over its dtypes and "
        "checks (forward, grad): **pass** agrees within the tolerance; **convention** differs "
        "by a rule measured for that framework; **fail** and **error** are defects, listed "
        "with a repro in the [parity report]({parity}); **unsupported** the framework lacks.",
        "측정 결과: 마지막 `refimpl report`가 그 연산의 dtype과 검사(forward, grad) 전체에서 "
        "얻은 결과입니다. **pass**는 허용 오차 안에서 일치, **convention**은 그 프레임워크에서 "
        "측정된 규칙만큼 다름, **fail**과 **error**는 결함([패리티 보고서]({parity})에 재현 "
        "코드와 함께 있음), **unsupported**는 그 프레임워크에 없는 기능입니다."),
}
