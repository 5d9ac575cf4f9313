"""Page 1: tensors, their rank, shape and dtype (post 000)."""

from comparisons.learn.page import Exercise, Page, Run, Text


def ranks():
    import numpy as np
    from refimpl import describe

    tensors = {
        "scalar": np.float32(3.5),
        "vector": np.array([12, 3, 5, 16, 7]),         # the post's vector
        "matrix": np.zeros((3, 5), np.float32),        # 3 rows x 5 columns
        "3D": np.zeros((2, 3, 5), np.float32),         # 2 matrices stacked
        "4D (images)": np.zeros((2, 28, 28, 3), np.uint8),     # samples, height, width, channels
        "5D (video)": np.zeros((2, 4, 28, 28, 3), np.uint8),   # samples, frames, height, ...
    }
    for name, t in tensors.items():
        d = describe(t)                                # t.ndim, t.shape, t.dtype
        print(f"{name:12} rank {d['rank']}  shape {str(d['shape']):18} dtype {d['dtype']}")
    v = tensors["vector"]
    print("v:", v.shape[0], "entries (a 5-dimensional vector) on", v.ndim, "axis (rank 1)")


def dtype_memory():
    import numpy as np

    for dtype in (np.float32, np.float16, np.uint8):             # the post's three dtypes
        batch = np.zeros((32, 28, 28, 3), dtype=dtype)           # 32 RGB images, 28 x 28
        print(f"{batch.dtype.name:8} {batch.itemsize} byte(s) a number, {batch.nbytes:7,} bytes")


def torch_default():
    import torch

    v, s = torch.tensor([12, 3, 5, 16, 7]), torch.tensor(3.5)
    print("rank", v.ndim, "shape", tuple(v.shape), v.dtype, "| a scalar:", s.ndim, s.dtype)


def tensorflow_default():
    import tensorflow as tf

    v, s = tf.constant([12, 3, 5, 16, 7]), tf.constant(3.5)
    print("rank", v.ndim, "shape", tuple(v.shape), v.dtype.name, "| a scalar:", s.ndim, s.dtype.name)


def jax_default():
    import jax.numpy as jnp

    v, s = jnp.array([12, 3, 5, 16, 7]), jnp.array(3.5)
    print("rank", v.ndim, "shape", v.shape, v.dtype, "| a scalar:", s.ndim, s.dtype)


PAGE = Page(
    slug="tensors",
    name="tensors",
    korean="텐서",
    posts=("000",),
    terms=(("tensor", "텐서"), ("axis", "축"), ("rank, ndim", "랭크"), ("scalar", "스칼라"),
           ("vector", "벡터"), ("matrix", "행렬"), ("shape", "형상, 크기"),
           ("data type, dtype", "데이터 타입"), ("dimension", "차원")),
    example=Run(ranks, post="000", caption=Text(
        "One tensor of each rank, from the scalar to a batch of videos, with the three "
        "attributes the post names: the number of axes (`ndim`, the rank), the shape and the "
        "dtype. The post's vector `[12, 3, 5, 16, 7]` is a 5-dimensional vector, yet a rank-1 "
        "tensor.",
        "스칼라부터 동영상 묶음까지 랭크마다 텐서 하나씩, 포스트가 말하는 세 가지 속성과 함께 "
        "출력합니다: 축의 개수(`ndim`, 랭크), 형상(shape), 데이터 타입(dtype). 포스트의 벡터 "
        "`[12, 3, 5, 16, 7]`은 5차원 벡터이지만 랭크-1 텐서입니다.")),
    idea=Text(
        "A tensor (텐서) is a container of numbers laid out along axes (축). The number of "
        "axes is its **rank** (랭크), `ndim` in numpy: a scalar (스칼라) has none, a vector "
        "(벡터) one, a matrix (행렬) two, its rows and columns. Stacking matrices gives a 3D "
        "tensor and stacking those a 4D tensor: a batch of images is (samples, height, width, "
        "channels). Video adds an axis of frames and needs 5D.\n\n"
        "Three attributes describe every tensor: the rank; the **shape** (형상), a tuple with "
        "the length of each axis; and the **dtype** (데이터 타입), how one number is stored "
        "(float32, float16, uint8). The dtype decides the memory, as the results below "
        "show.\n\n"
        "\"Dimension\" (차원) is used in two ways. `[12, 3, 5, 16, 7]` holds five entries along "
        "one axis: a 5-dimensional vector, but a rank-1 tensor. A 5D tensor has five axes.",
        "텐서(tensor)는 숫자를 축(axis)을 따라 담아 두는 컨테이너입니다. 축의 개수가 "
        "**랭크**(rank)이고, 넘파이에서는 `ndim`입니다. 스칼라(scalar)는 축이 없고, 벡터"
        "(vector)는 하나, 행렬(matrix)은 행과 열 두 개입니다. 행렬을 쌓으면 3D 텐서, 그것을 "
        "다시 쌓으면 4D 텐서가 됩니다. 이미지 묶음은 (샘플, 높이, 너비, 채널)의 4D 텐서이고, "
        "동영상은 프레임 축이 더해져 5D 텐서가 필요합니다.\n\n"
        "모든 텐서는 세 가지 속성으로 설명됩니다: 랭크, 각 축의 길이를 튜플로 적은 **형상**"
        "(shape, 포스트 000에서는 '크기'), 그리고 숫자 하나를 어떤 형식으로 저장하는지 나타내는 "
        "**데이터 타입**(dtype: float32, float16, uint8 등). 데이터 타입이 메모리를 정한다는 "
        "것은 아래 결과에서 볼 수 있습니다.\n\n"
        "'차원'(dimension)이라는 말은 두 가지로 쓰입니다. `[12, 3, 5, 16, 7]`은 한 축에 원소 "
        "5개를 담으므로 5차원 벡터이지만, 축이 하나인 랭크-1 텐서입니다. 5차원(5D) 텐서는 축이 "
        "5개인 텐서를 말합니다."),
    frameworks=(
        Run(torch_default, caption=Text(
            "The same vector and a scalar: rank and shape agree everywhere, the default "
            "dtypes do not. torch makes integers int64 and a Python float float32.",
            "같은 벡터와 스칼라: 랭크와 형상은 어디서나 같지만 기본 데이터 타입(dtype)은 다릅니다. "
            "torch는 정수를 int64로, 파이썬 실수를 float32로 만듭니다.")),
        Run(tensorflow_default, caption=Text(
            "TensorFlow makes integers int32 and a float float32.",
            "TensorFlow는 정수를 int32로, 실수를 float32로 만듭니다.")),
        Run(jax_default, caption=Text(
            "JAX follows numpy (int64, float64) here only because refimpl turns on "
            "`jax_enable_x64` to compare float64 at float64; by default JAX gives int32 and "
            "float32. numpy itself gives int64 and float64.",
            "여기서 JAX가 numpy처럼 int64, float64를 주는 것은 refimpl이 float64를 float64로 "
            "비교하려고 `jax_enable_x64`를 켜기 때문입니다. 기본 설정의 JAX는 int32와 float32를 "
            "줍니다. numpy는 int64와 float64입니다.")),
    ),
    results=(
        Run(dtype_memory, caption=Text(
            "The same batch of 32 RGB images of 28 × 28 pixels in three dtypes: the shape is "
            "the same, the memory is not.",
            "28 × 28 픽셀 RGB 이미지 32장의 같은 묶음을 세 가지 데이터 타입으로 만들었습니다. "
            "형상은 같지만 메모리는 다릅니다.")),
    ),
    exercises=(
        Exercise(Text("A batch of 32 RGB images of 28 × 28 pixels, stored as uint8: predict "
                      "its rank and shape (samples, height, width, channels).",
                      "28 × 28 픽셀 RGB 이미지 32장을 uint8로 담은 묶음의 랭크와 형상"
                      "(샘플, 높이, 너비, 채널)을 예측하세요."),
                 ">>> import numpy as np\n>>> from refimpl import describe\n"
                 ">>> batch = np.zeros((32, 28, 28, 3), dtype=np.uint8)\n"
                 ">>> describe(batch)\n"
                 "{'rank': 4, 'shape': (32, 28, 28, 3), 'dtype': 'uint8', 'size': 75264}\n"),
        Exercise(Text("What is the rank of `np.array([12, 3, 5, 16, 7])`, and its length?",
                      "`np.array([12, 3, 5, 16, 7])`의 랭크와 길이는 얼마일까요?"),
                 ">>> import numpy as np\n>>> v = np.array([12, 3, 5, 16, 7])\n"
                 ">>> v.ndim, len(v)      # one axis holding 5 entries\n(1, 5)\n"),
        Exercise(Text("`reshape(1, 1, 1, 1, 5)` puts the same five numbers on five axes. "
                      "Predict the rank and the shape.",
                      "`reshape(1, 1, 1, 1, 5)`는 같은 숫자 다섯 개를 축 다섯 개에 담습니다. "
                      "랭크와 형상을 예측하세요."),
                 ">>> import numpy as np\n"
                 ">>> t = np.array([12, 3, 5, 16, 7]).reshape(1, 1, 1, 1, 5)\n"
                 ">>> t.ndim, t.shape     # five axes, four of them of length 1\n"
                 "(5, (1, 1, 1, 1, 5))\n"),
    ),
    symbols=("tensors:describe",),
)
