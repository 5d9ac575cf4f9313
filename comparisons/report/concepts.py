"""The learning pages' concepts, in the source posts' teaching order: each page's English
and Korean name, its opening prose, and the refimpl functions it shows after its ops.

comparisons/report/learn.py cuts the code of each concept's ops (the registry's
``concept``), training runs and symbols from refimpl and its twins.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    slug: str
    name: str            # English; registry ops and training runs name it in ``concept``
    korean: str          # as the source posts write it
    intro: str
    symbols: tuple = ()  # refimpl "module:qualname", shown after the concept's ops

    @property
    def title(self) -> str:
        return f"{self.name[0].upper()}{self.name[1:]} ({self.korean})"


CONCEPTS = [
    Concept("tensors", "tensors", "텐서",
            "A tensor is an array of numbers laid out along some number of axes (축). Three facts "
            "describe one: its rank (랭크, how many axes), its shape (how long each axis is) and its "
            "data type (데이터 타입). A scalar (스칼라) has rank 0, a vector (벡터) rank 1 and a matrix "
            "(행렬) rank 2; a batch of images is rank 4 and a batch of video clips rank 5. A vector "
            "of five numbers is called five-dimensional (차원), yet it is a rank-1 tensor.",
            ("tensors:describe",)),
    Concept("vectors-and-matrices", "vectors and matrices", "벡터와 행렬",
            "Most of a network's arithmetic is dot products (내적) and matrix products (행렬 곱). Two "
            "vectors of equal length give one number, their dot product; cosine similarity divides "
            "it by both lengths. A product (n, k) @ (k, m) needs the inner sizes to agree and gives "
            "(n, m), which is how a mini-batch (미니 배치) of N samples passes through a layer as "
            "one (N, features) matrix.",
            ("tensors:matmul_shape",)),
    Concept("derivatives", "derivatives", "미분",
            "A derivative (미분) says how much f moves when x is nudged a little. For a function of "
            "many inputs, each partial derivative (편미분) nudges one input and holds the rest still; "
            "together they form the gradient (기울기), which has exactly the input's shape. Central "
            "differences compute it with two evaluations per weight: slow, but simple enough to "
            "check every backward in this project against.",
            ("derivatives:numerical_derivative", "derivatives:numerical_gradient")),
    Concept("chain-rule", "chain rule and the computational graph", "연쇄 법칙과 계산 그래프",
            "A computational graph (계산 그래프) writes a calculation as nodes (노드), one operation "
            "each. Going backward, every node multiplies the upstream gradient `dout` by its own "
            "local derivative, and chaining these steps from the loss to the inputs is the chain "
            "rule (연쇄 법칙): the add node passes `dout` on, the mul node swaps its inputs, the "
            "branch node adds the gradients of every use, and `sum_to` undoes broadcasting. The "
            "frameworks need one line per node, because their autodiff writes the backward.",
            ("autodiff:sum_to",)),
    Concept("backpropagation", "backpropagation", "역전파",
            "Backpropagation (역전파) runs the chain rule over a whole graph. The forward pass (순전파) "
            "records which `Function` made each `Variable`; `backward()` then visits the nodes in "
            "reverse topological order, handing each its upstream gradient and adding up the "
            "gradients of a value used twice. One forward and one backward pass give every "
            "gradient, where numerical differentiation needs two forward passes per weight.",
            ("autodiff:Function", "autodiff:Variable.backward", "autodiff:grad")),
    Concept("activations", "activations", "활성화 함수",
            "An activation function (활성화 함수) bends a layer's output. Without one, stacked linear "
            "layers collapse into a single linear map; a non-linear (비선형) function between them "
            "lets depth buy expressive power. Sigmoid (시그모이드) and tanh flatten out for large "
            "inputs, so their gradients vanish in deep stacks, while ReLU keeps slope 1 for positive "
            "inputs. The textbook sigmoid is shown last, beside the stable form refimpl uses.",
            ("activations:sigmoid_naive",)),
    Concept("losses", "losses", "손실 함수",
            "A loss function (손실 함수) turns how far a prediction is from its target into one "
            "number, which training makes smaller. Regression compares values (squared, absolute, "
            "Huber); classification compares predicted probabilities with a one-hot or class-index "
            "target (cross-entropy); a probabilistic model is scored by the negative log-likelihood "
            "of the target under the distribution it predicts."),
    Concept("gradient-descent", "gradient descent", "경사 하강법",
            "Gradient descent (경사 하강법) moves every weight a small step against its gradient: "
            "p <- p - lr * g. The learning rate `lr` sets the step: too large and the loss jumps "
            "about or diverges, too small and training crawls. Mini-batch SGD estimates the gradient "
            "from a few samples at a time, and `maximize=True` climbs instead (gradient ascent).",
            ("optim:Optimizer.step", "optim:SGD.update")),
    Concept("optimizers", "optimizers", "옵티마이저",
            "Optimizers (옵티마이저) keep the step against the gradient but choose its direction and "
            "size better (the posts call the goal 최적화, optimization). Momentum and Nesterov carry a "
            "velocity; AdaGrad and RMSProp divide by a running size of each weight's gradients; Adam "
            "does both with bias correction, and AdamW decays the weights apart from the gradient. "
            "Each run below trains the same model from the same start in refimpl and in every "
            "framework, and compares the paths step by step."),
    Concept("training-loop", "training loop", "학습 루프",
            "Training (학습) repeats one pattern: forward pass on a mini-batch, loss, backward pass, "
            "one optimizer step. The batch size (배치 사이즈) is how many samples feed one update, an "
            "iteration is one update, and an epoch (에포크) is one pass over the training set: 1000 "
            "samples in batches of 20 make 50 iterations per epoch, and 10 epochs 500 updates.",
            ("training:schedule", "training:minibatches", "training:iteration", "training:fit",
             "training:trajectory")),
    Concept("perceptron-xor", "perceptron and XOR", "퍼셉트론과 XOR",
            "The perceptron (퍼셉트론) outputs step(x . w + b) and learns by moving its line towards "
            "the samples it got wrong, with no derivative at all. A single-layer perceptron (단층 "
            "퍼셉트론) learns AND, OR and NAND, but XOR cannot be split by one straight line (선형 "
            "분리), so on XOR its rule never settles.",
            ("models:Perceptron",)),
    Concept("mlp", "MLP", "다층 퍼셉트론",
            "A multi-layer perceptron (다층 퍼셉트론) puts hidden layers (은닉층) between the input "
            "layer (입력층) and the output layer (출력층): each an affine map, then a non-linear "
            "activation. Four tanh hidden units bend the boundary enough for XOR; the training-loop "
            "page trains exactly this 2-4-1 network in every framework.",
            ("models:Linear", "models:mlp")),
]
