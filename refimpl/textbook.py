"""The textbook forms: each op as a student writes it from the book, a few lines of numpy.

"Deep Learning from Scratch" (밑바닥부터 시작하는 딥러닝) and DeZero write each node as a
couple of lines: the formula, straight. They are right on ordinary inputs, and the
learning pages show them first; refimpl's own forms (graph.py, activations.py,
losses.py) come second, to show where the few lines break and why the reference takes
more care: broadcasting, rounding near 1, overflow, a fixed step. tests/test_textbook.py
checks each form against refimpl's on ordinary inputs and measures where it breaks.

The functions keep the style `refimpl check` reads from a learner's module
(comparisons/learner.py): ``name(x)`` forward, ``name_backward(x, dout)`` backward, one
gradient per input (a tuple for two), a loss's backward the prediction's gradient only.
This module imports numpy only, and refimpl does not export it.

>>> x = np.array([-1.0, 0.0, 2.0])
>>> relu(x), relu_backward(x, np.ones(3))
(array([0., 0., 2.]), array([0., 0., 1.]))
>>> sigmoid_backward(np.array([40.0]), np.array([1.0]))   # s rounds to 1; refimpl: 4.2e-18
array([0.])
>>> add_backward(np.ones((2, 3)), np.ones(3), np.ones((2, 3)))[1].shape   # b is (3,)
(2, 3)
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "step", "add", "add_backward", "mul", "mul_backward", "matmul", "matmul_backward",
    "affine", "affine_backward", "sigmoid", "sigmoid_backward", "tanh", "tanh_backward", "relu", "relu_backward",
    "leaky_relu", "leaky_relu_backward", "softmax", "softmax_backward",
    "mse", "mse_backward", "cross_entropy", "cross_entropy_backward",
    "sgd_step", "numerical_derivative",
]


# ======================================================================= step (계단 함수)

def step(x):
    """y = 1 if x > 0 else 0 (계단 함수), as an int array the way the book writes it."""
    return np.array(x > 0, dtype=int)


# ============================================================= add, mul (덧셈·곱셈 노드)

def add(a, b):
    """y = a + b (덧셈 노드)."""
    return a + b


def add_backward(a, b, dout):
    """da = dout, db = dout (덧셈 노드: the upstream gradient passes through unchanged)."""
    # No sum over broadcast axes: a b of shape (3,) added to (2, 3) gets a (2, 3)
    # gradient. refimpl's unbroadcast (DeZero's sum_to) is the fix.
    return dout, dout


def mul(a, b):
    """y = a * b (곱셈 노드)."""
    return a * b


def mul_backward(a, b, dout):
    """da = dout * b, db = dout * a (곱셈 노드: the inputs swap places)."""
    return dout * b, dout * a


# ============================================================================= matmul

def matmul(x, W):
    """y = x W, x of shape (N, D) and W of shape (D, H) (행렬의 곱, Affine's core)."""
    return np.dot(x, W)


def matmul_backward(x, W, dout):
    """dx = dout W^T, dW = x^T dout: each gradient has its input's shape (2-D only)."""
    # .T reverses every axis, so a batched (B, N, D) x makes x.T of shape (D, N, B):
    # the book's layers flatten to 2-D first; refimpl's matmul sums over the batch.
    dx = np.dot(dout, W.T)
    dW = np.dot(x.T, dout)
    return dx, dW


def affine(x, W, b):
    """y = x W + b, x of shape (N, D): the book's Affine layer (완전연결층: 가중합과 편향)."""
    return np.dot(x, W) + b


def affine_backward(x, W, b, dout):
    """dx = dout W^T, dW = x^T dout, db = dout summed over the batch (b reached every sample)."""
    # x must be a batch (N, D): for one sample as a vector, x.T is x itself and
    # np.dot(x.T, dout) pairs D features with H outputs; refimpl's Linear takes both.
    dx = np.dot(dout, W.T)
    dW = np.dot(x.T, dout)
    db = np.sum(dout, axis=0)
    return dx, dW, db


# ======================================================================= sigmoid, tanh

def sigmoid(x):
    """y = 1 / (1 + exp(-x)) (시그모이드 함수)."""
    # exp(-x) overflows for x < -709 (float64) and x < -88 (float32); 1 / inf is 0,
    # so the value survives there, but a tiny true value (float32: 3.8e-44) is lost.
    return 1 / (1 + np.exp(-x))


def sigmoid_backward(x, dout):
    """dx = dout * s (1 - s) with s = sigmoid(x)."""
    # 1 - s cancels once s rounds to 1 (x > 36.7 in float64): the slope e^-x becomes 0.
    s = sigmoid(x)
    return dout * s * (1 - s)


def tanh(x):
    """y = tanh(x) (쌍곡탄젠트 함수)."""
    return np.tanh(x)


def tanh_backward(x, dout):
    """dx = dout * (1 - y^2) with y = tanh(x)."""
    # the same cancellation as sigmoid's: y rounds to 1 from about x = 19, and 1 - y^2 = 0.
    y = np.tanh(x)
    return dout * (1 - y ** 2)


# ================================================================== relu, leaky_relu

def relu(x):
    """y = max(0, x) (렐루 함수)."""
    return np.maximum(0, x)


def relu_backward(x, dout):
    """dx = dout where x > 0, else 0."""
    # NaN > 0 is False: a NaN input sends back a gradient of 0, hiding the NaN.
    return dout * (x > 0)


def leaky_relu(x, slope=0.01):
    """y = x if x > 0 else slope * x."""
    return np.where(x > 0, x, slope * x)


def leaky_relu_backward(x, dout, slope=0.01):
    """dx = dout where x > 0, else dout * slope."""
    # np.where(..., 1.0, slope) is a float64 array whatever x's dtype: float32 in,
    # float64 out. refimpl rounds every gradient back to its input's dtype.
    return dout * np.where(x > 0, 1.0, slope)


# ============================================================================ softmax

def softmax(x):
    """y_i = exp(x_i - max x) / sum_j exp(x_j - max x) (소프트맥스 함수), last axis."""
    # subtracting the max changes nothing mathematically and keeps exp from overflowing
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(x, dout):
    """dx = y * (dout - sum_j dout_j y_j) with y = softmax(x) (DeZero's Softmax.backward)."""
    # where y rounds to 1, dout - sum(dout * y) subtracts two equal numbers: 0, not y(1 - y)
    y = softmax(x)
    dx = y * dout
    dx -= y * dx.sum(axis=-1, keepdims=True)
    return dx


# ==================================================================== mse, cross_entropy

def mse(y_hat, t):
    """L = mean((y_hat - t)^2) (평균 제곱 오차; the book's 0.5 * sum is another scale)."""
    # y_hat - t broadcasts: a (3, 1) prediction against a (3,) target is a (3, 3) table.
    return np.mean((y_hat - t) ** 2)


def mse_backward(y_hat, t, dout):
    """dy_hat = dout * 2 (y_hat - t) / n, n the number of elements."""
    return dout * 2 * (y_hat - t) / y_hat.size


def cross_entropy(x, t):
    """L = -mean_n log(softmax(x)[n, t_n] + 1e-7) (교차 엔트로피), x (N, C), t (N,) classes."""
    # the book's delta 1e-7 keeps log(0) = -inf out (softmax rounds to exactly 0 for a
    # logit gap over 745); it caps each loss at -log(1e-7) = 16.1 and makes a sure, right
    # answer cost -1e-7. refimpl computes log_softmax directly and needs no delta.
    y = softmax(x)
    batch_size = x.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


def cross_entropy_backward(x, t, dout):
    """dx = dout * (softmax(x) - one_hot(t)) / N (SoftmaxWithLoss.backward)."""
    # y - 1 at the target cancels to 0 where y rounds to 1 (x = [40, 0, 0], class 0)
    batch_size = x.shape[0]
    dx = softmax(x).copy()
    dx[np.arange(batch_size), t] -= 1
    return dout * dx / batch_size


# ================================================================ sgd, the derivative

def sgd_step(W, dW, lr):
    """W <- W - lr * dW (확률적 경사 하강법), in place as the book's SGD.update."""
    # In float16 this rounds three times: lr to float16 (numpy 2 keeps the array's dtype),
    # lr * dW, then W - that; refimpl's SGD rounds the whole update once.
    W -= lr * dW


def numerical_derivative(f, x, h=1e-4):
    """f'(x) ~ (f(x + h) - f(x - h)) / 2h (수치 미분, central difference, the book's h)."""
    # a fixed h: where the spacing of floats at x exceeds h, x + h == x and the slope is 0.
    # refimpl scales h to x.
    return (f(x + h) - f(x - h)) / (2 * h)
