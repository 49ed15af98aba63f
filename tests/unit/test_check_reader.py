"""The check's reader: imports and aliases resolved with ast only, calls classified as layers
(with the weights left to defaults and the settings passed), initializers (string aliases
included), seeding calls and TF_USE_LEGACY_KERAS; nothing is imported."""

from __future__ import annotations

import sys
import textwrap

import pytest

from initcompat.check.reader import Unreadable, read
from initcompat.check.uses import classify

from check_sets import EXAMPLES


def uses_of(source: str):
    return classify(read(textwrap.dedent(source)).calls)


def layers_of(source: str) -> list[tuple]:
    return [(u.family, u.kind, u.defaulted) for u in uses_of(source).layers]


@pytest.mark.parametrize("source, path", [
    ("import tensorflow as tf\ntf.layers.dense(x, 3)", "tf.layers.dense"),
    ("import tensorflow.compat.v1 as tf\ntf.layers.dense(x, 3)", "tf.compat.v1.layers.dense"),
    ("from tensorflow.keras import layers\nlayers.Dense(3)", "tf.keras.layers.Dense"),
    ("from tensorflow import keras\nkeras.layers.Dense(3)", "tf.keras.layers.Dense"),
    ("from keras.layers import Dense\nDense(3)", "keras.layers.Dense"),
    ("from keras.layers import Dense as D\nD(3)", "keras.layers.Dense"),
    ("import tf_keras\ntf_keras.layers.Dense(3)", "tf_keras.layers.Dense"),
    ("import tf_keras as keras\nkeras.layers.Dense(3)", "tf_keras.layers.Dense"),
    ("import tensorflow as tf\nv1 = tf.compat.v1\nv1.layers.dense(x, 3)", "tf.compat.v1.layers.dense"),
    ("import tensorflow as tf\nL = tf.keras.layers\nD = L.Dense\nD(3)", "tf.keras.layers.Dense"),
    ("from tensorflow.keras.layers import *\nConv2D(3, 3)", "tf.keras.layers.Conv2D"),
    ("import tensorflow.python.keras as k\nk.layers.Dense(3)", "tf.keras.layers.Dense"),
    ("def f():\n    import tensorflow as tf\n    return tf.layers.dense(x, 3)", "tf.layers.dense"),
])
def test_imports_and_aliases_resolve(source, path):
    calls = [call.path for call in read(source).calls]
    assert path in calls


def test_code_for_missing_modules_is_read_never_imported():
    source = "import tensorflow as tf\nimport not_installed_anywhere\ntf.layers.dense(x, 3)\n"
    before = set(sys.modules)
    assert layers_of(source) == [("tf.layers", "dense", ("kernel", "bias"))]
    assert "tensorflow" not in set(sys.modules) - before
    assert "not_installed_anywhere" not in sys.modules


def test_unresolved_names_say_nothing():
    assert uses_of("model.add(Dense(3))\nobj.layers.dense(x)\n").layers == []


@pytest.mark.parametrize("source, expected", [
    ("import tensorflow as tf\ntf.layers.dense(x, 3, kernel_initializer=k)",
     [("tf.layers", "dense", ("bias",))]),
    ("import tensorflow as tf\ntf.layers.dense(x, 3, use_bias=False)",
     [("tf.layers", "dense", ("kernel",))]),
    ("import tensorflow as tf\ntf.layers.conv2d(x, 3, 3)", [("tf.layers", "conv2d", ("kernel", "bias"))]),
    ("import tensorflow as tf\ntf.layers.Dense(3)", [("tf.layers", "dense", ("kernel", "bias"))]),
    ("import tensorflow as tf\ntf.compat.v1.layers.batch_normalization(x, center=False)",
     [("tf.compat.v1.layers", "batch_normalization", ("gamma", "moving_mean", "moving_variance"))]),
    ("import keras\nkeras.layers.LSTM(8, recurrent_initializer='orthogonal')",
     [("keras", "lstm", ("kernel", "bias"))]),
    ("import keras\nkeras.layers.Convolution2D(8, 3)", [("keras", "conv2d", ("kernel", "bias"))]),
    ("import tensorflow as tf\ntf.keras.layers.experimental.EinsumDense('ab,bc->ac', 4)",
     [("tf.keras", "einsum_dense", ("kernel", "bias"))]),
    ("import tensorflow as tf\ntf.contrib.layers.fully_connected(x, 3, biases_initializer=None)",
     [("tf.contrib.layers", "dense", ("kernel",))]),
    ("import tensorflow as tf\ntf.nn.rnn_cell.LSTMCell(8, initializer=i)",
     [("tf.compat.v1.nn.rnn_cell", "lstm", ("bias",))]),
    ("import tensorflow as tf\ntf.compat.v1.nn.rnn_cell.GRUCell(8)",
     [("tf.compat.v1.nn.rnn_cell", "gru",
       ("gates_kernel", "gates_bias", "candidate_kernel", "candidate_bias"))]),
    ("import tensorflow as tf\ntf.get_variable('w', [3, 4])",
     [("tf.compat.v1.get_variable", "dense", ("kernel",))]),
    ("import tensorflow as tf\ntf.compat.v1.get_variable('b', shape=[4])",
     [("tf.compat.v1.get_variable", "dense", ("bias",))]),
    ("import tensorflow as tf\ntf.get_variable('w', [3, 4], tf.float32, init)",
     [("tf.compat.v1.get_variable", "dense", ())]),
    ("import tensorflow as tf\nwith tf.variable_scope('s', initializer=i):\n    tf.get_variable('w', [3, 4])",
     [("tf.compat.v1.get_variable in variable_scope(initializer=...)", "dense", ("kernel",))]),
    ("import keras\nkeras.layers.Dense(3, **options)", [("keras", "dense", ())]),
    ("import tensorflow as tf\ntf.layers.max_pooling2d(x, 2, 2)", []),
])
def test_layers_and_the_weights_left_to_defaults(source, expected):
    assert layers_of(source) == expected


def test_weight_changing_settings_are_kept():
    layer = uses_of("import tensorflow as tf\n"
                    "tf.keras.layers.GRU(8, reset_after=False, units=8)").layers[0]
    assert layer.settings == {"reset_after": False, "units": 8}
    lstm = uses_of("import keras\nkeras.layers.LSTM(8, unit_forget_bias=False)").layers[0]
    assert lstm.settings == {"unit_forget_bias": False}
    assert lstm.call.literals["unit_forget_bias"] is False


def test_initializer_constructors_and_string_aliases():
    uses = uses_of("""
        import tensorflow as tf
        import keras
        a = tf.truncated_normal_initializer(stddev=0.1)
        b = tf.compat.v1.glorot_uniform_initializer()
        c = keras.initializers.RandomNormal()
        d = tf.keras.initializers.get("he_normal")
        e = tf.keras.layers.Dense(3, kernel_initializer="glorot_uniform", bias_initializer="zeros")
        f = tf.initializers.variance_scaling(scale=2.0, seed=3)
        g = tf.contrib.layers.xavier_initializer()
        h = tf.truncated_normal([3], stddev=0.1)
    """)
    found = [(u.namespace, u.how, u.name, u.arguments) for u in uses.initializers]
    assert found == [("tf", "constructor", "truncated_normal_initializer", {"stddev": 0.1}),
                     ("tf.compat.v1", "constructor", "glorot_uniform_initializer", {}),
                     ("keras.initializers", "constructor", "RandomNormal", {}),
                     ("tf.keras.initializers", "get", "he_normal", {}),
                     ("tf.keras.initializers", "get", "glorot_uniform", {}),
                     ("tf.keras.initializers", "get", "zeros", {}),
                     ("tf.initializers", "constructor", "variance_scaling", {"scale": 2.0}),
                     ("tf.contrib.layers", "constructor", "xavier_initializer", {})]
    alias = uses.initializers[3 + 1]
    assert alias.call.spelled == 'kernel_initializer="glorot_uniform"'
    assert (alias.call.line, alias.call.col) == (8, 49)  # the keyword's value, 1-based
    assert [call.path for call in uses.ops] == ["tf.truncated_normal"]
    assert [(s.method, s.seed) for s in uses.seeds] == [("initializer(seed=…)", 3)]


def test_seeding_calls():
    uses = uses_of("""
        import random
        import numpy as np
        import tensorflow as tf
        import keras
        tf.set_random_seed(1)
        tf.compat.v1.set_random_seed(2)
        tf.random.set_seed(3)
        keras.utils.set_random_seed(4)
        tf.keras.utils.set_random_seed(5)
        np.random.seed(6)
        random.seed(7)
        tf.keras.initializers.GlorotUniform(seed=0)
    """)
    assert [(s.method, s.family, s.seed) for s in uses.seeds] == [
        ("tf.set_random_seed", None, 1), ("tf.compat.v1.set_random_seed", None, 2),
        ("tf.random.set_seed", None, 3), ("keras.utils.set_random_seed", "keras", 4),
        ("keras.utils.set_random_seed", "tf.keras", 5), ("np.random.seed", None, 6),
        ("random.seed", None, 7), ("seed 0", None, 0)]


@pytest.mark.parametrize("line", ['os.environ["TF_USE_LEGACY_KERAS"] = "1"',
                                  'os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")',
                                  'os.putenv("TF_USE_LEGACY_KERAS", "1")'])
def test_legacy_keras_setting(line):
    reading = read(f"import os\n{line}\n")
    assert [(s.name, s.value, s.line) for s in reading.settings] == [("TF_USE_LEGACY_KERAS", "1", 2)]


def test_columns_are_characters_and_one_based():
    reading = read("import keras\nnamé = keras.layers.Dense(3)\n")
    assert (reading.calls[0].line, reading.calls[0].col) == (2, 8)


@pytest.mark.parametrize("source", ["import tensorflow as tf\nx = tf.layers.dense(\n",
                                    "def f(:\n", "x = 1 +* 2\n", "\x00"])
def test_unparsable_source_is_one_line(source):
    with pytest.raises(Unreadable) as raised:
        read(source)
    assert "\n" not in str(raised.value)


def test_every_example_file_reads():
    for path in sorted(EXAMPLES.glob("*.py")):
        uses = classify(read(path.read_text(encoding="utf-8")).calls)
        assert uses.layers or uses.initializers or uses.seeds, path.name
