"""A model of the suite (`propagation.models`), built with one API's real layers.

A model is a stack of layer specs: conv2d (filters, kernel_size, padding, activation), dense
(units, activation), max_pool (pool), flatten. Every conv2d and dense layer is built without an
activation and the activation is applied after it, so both the pre-activation (what the
mean-field recursion predicts) and the output are seen; the arithmetic is what
`activation=...` does inside the layer.

APIs (how a user of that version writes the model):
  GraphApi   tf.layers classes, or a Keras layers module, in a fresh tf.Graph run by a Session
             (TF 1.x; standalone Keras 2 on TF 1.x); gradients by tf.gradients
  EagerApi   a Keras layers module called eagerly on TensorFlow (tf.keras and tf_keras in TF 2.x,
             Keras 3 on the tensorflow backend); gradients by tf.GradientTape
  KerasOpsApi  Keras 3 on a backend without TensorFlow (jax, numpy): keras.ops for the losses;
             no gradients (the numpy backend has none; jax is not wired yet)

Each `run` returns numpy arrays only: per layer the pre-activation and output, the kernel
values, the gradient of the stable loss for each kernel (float32 only: low-precision gradients
of a deep stack take seconds on a CPU and are not asked), the logits and both losses (None and
`loss_error` where the version cannot compute them in that dtype).
Python 3.6-clean; numpy and the framework only.
"""

import numpy as np

ACTIVATIONS = ("relu", "tanh", None)
WEIGHTED = ("conv2d", "dense")
# dtypes of a fetched value that feed back as they are (GraphApi._lsuv)
FEEDABLE = (np.dtype(np.float32), np.dtype(np.float16), np.dtype(np.float64))


def _v1(tf):
    return getattr(getattr(tf, "compat", None), "v1", None) or tf


def initializer_factory(namespace, spec, v1_functions=None):
    """A function making a fresh initializer object per layer from a suite spec {name, args}; None
    for the default (no argument passed). `v1_functions`: a module with TF1's
    `<name>_initializer` functions, tried first (tf.layers users wrote those)."""
    name = spec.get("name")
    if not name:
        return None
    arguments = dict(spec.get("args") or {})
    if v1_functions is not None:
        function = getattr(v1_functions, name + "_initializer", None)
        if function is not None:
            return lambda: function(**arguments)
    if arguments:
        class_name = "".join(part.capitalize() for part in name.split("_"))
        return lambda: namespace.get({"class_name": class_name, "config": dict(arguments)})
    return lambda: namespace.get(name)


def one_hot(labels, classes=10):
    matrix = np.zeros((len(labels), classes), dtype=np.float32)
    matrix[np.arange(len(labels)), labels] = 1.0
    return matrix


def make_layer(module, spec, make_initializer, dtype, index):
    """The layer of one spec from a layers module (tf.layers or a Keras one): no activation
    (applied after it), the dtype, a fresh initializer for a weighted layer unless default."""
    arguments = {"dtype": dtype, "name": "layer%d" % index}
    if make_initializer is not None and spec["type"] in WEIGHTED:
        arguments["kernel_initializer"] = make_initializer()
    if spec["type"] == "conv2d":
        return module.Conv2D(spec["filters"], tuple(spec["kernel_size"]),
                             padding=spec.get("padding", "valid"), **arguments)
    if spec["type"] == "dense":
        return module.Dense(spec["units"], **arguments)
    if spec["type"] == "max_pool":
        pool = int(spec["pool"])
        return module.MaxPooling2D((pool, pool), (pool, pool), **arguments)
    return module.Flatten(**arguments)


def tf_activation(tf, name, tensor):
    """The activation applied after a layer built without one, with TensorFlow's ops."""
    if name == "relu":
        return tf.nn.relu(tensor)
    if name == "tanh":
        return tf.tanh(tensor)
    return tensor


class Built(object):
    """What one forward pass left: per layer (spec, pre-activation, output, kernel object)."""

    def __init__(self):
        self.layers = []  # [{"spec", "pre", "out", "kernel", "initializer"}]
        self.logits = None


class GraphApi(object):
    """tf.layers (module `tf.layers`) or a Keras layers module, in graph mode."""

    graph = True

    def __init__(self, tf, label, layers_module, initializers_module, keras_style):
        self.tf = tf
        self.v1 = _v1(tf)
        self.label = label
        self.layers_module = layers_module
        self.initializers = initializers_module
        self.keras_style = keras_style

    def _activation(self, name, tensor):
        return tf_activation(self.tf, name, tensor)

    def _layer(self, spec, make_initializer, dtype, index):
        return make_layer(self.layers_module, spec, make_initializer, dtype, index)

    def forward(self, model, make_initializer, inputs, dtype):
        """(Built, input tensor) in the current graph."""
        built = Built()
        tensor = inputs
        for index, spec in enumerate(model["layers"]):
            if spec["type"] == "flatten":
                tensor = self.tf.reshape(tensor, [-1, int(np.prod(tensor.shape.as_list()[1:]))])
                continue
            layer = self._layer(spec, make_initializer, dtype, index)
            pre = layer(tensor) if self.keras_style else layer.apply(tensor)
            out = self._activation(spec.get("activation"), pre)
            built.layers.append({"spec": spec, "pre": pre, "out": out, "layer": layer,
                                 "kernel": getattr(layer, "kernel", None)})
            tensor = out
        built.logits = tensor
        return built

    def losses(self, logits, labels_one_hot, labels):
        """(naive, stable): the old tutorials' -sum(y * log(softmax)) and the fused op."""
        tf = self.tf
        naive = -tf.reduce_mean(tf.reduce_sum(labels_one_hot * _log(tf, tf.nn.softmax(logits)),
                                              axis=1))
        stable = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits))
        return naive, stable

    def run(self, model, make_initializer, x, labels, dtype_name, seed, rescale_on=None):
        tf, v1 = self.tf, self.v1
        graph = tf.Graph()
        with graph.as_default():
            v1.set_random_seed(seed)
            dtype = getattr(tf, dtype_name)
            inputs = v1.placeholder(tf.float32, [None] + list(x.shape[1:]))
            built = self.forward(model, make_initializer, tf.cast(inputs, dtype), dtype)
            kernels = [entry["kernel"] for entry in built.layers if entry["kernel"] is not None]
            fetches = {"pre": [e["pre"] for e in built.layers],
                       "out": [e["out"] for e in built.layers],
                       "kernels": kernels, "logits": built.logits}
            feed = {inputs: x.astype(np.float32)}
            with v1.Session(graph=graph) as session:
                session.run(v1.global_variables_initializer())
                if rescale_on is not None:
                    self._lsuv(session, built, inputs, rescale_on)
                values = session.run(fetches, feed)
                values.update(self._losses(session, built, kernels, labels, dtype, dtype_name,
                                           feed))
        return _assemble(built, values)

    def _lsuv(self, session, built, inputs, x):
        """LSUV's one-batch rescaling, layer by layer in order: each kernel divided by the std of
        its layer's pre-activation on `x` (another batch than the one measured).

        Each run starts from the previous weighted layer's input, fed back (the layers before it
        are rescaled already, so their output is final): two layers per run instead of the
        whole stack, the same values (a dtype numpy cannot feed back, bfloat16 on old TF,
        starts from `x` as before)."""
        feed = {inputs: x.astype(np.float32)}
        previous = None
        for entry in built.layers:
            if entry["kernel"] is None:
                continue
            fetches = {"pre": entry["pre"]}
            if previous is not None:
                fetches["previous_out"] = previous["out"]
            values = session.run(fetches, feed)
            std = float(np.std(np.asarray(values["pre"]).astype(np.float64)))
            if std > 0 and np.isfinite(std):
                session.run(entry["kernel"].assign(entry["kernel"] / std))
            if previous is not None and np.asarray(values["previous_out"]).dtype in FEEDABLE:
                feed = {previous["out"]: values["previous_out"]}
            previous = entry

    def _losses(self, session, built, kernels, labels, dtype, dtype_name, feed):
        """naive, stable (and, in float32, the gradients) of the same forward pass; a loss the
        version cannot compute in this dtype is an error of its own, the layers stay measured."""
        tf = self.tf
        try:
            y = tf.cast(tf.constant(one_hot(labels)), dtype)
            naive, stable = self.losses(built.logits, y, tf.constant(labels.astype(np.int32)))
            fetches = {"naive": naive, "stable": stable}
            if dtype_name == "float32":
                fetches["gradients"] = tf.gradients(stable, kernels)
            found = session.run(fetches, feed)
            found.setdefault("gradients", None)
            return found
        except Exception as error:
            return {"naive": None, "stable": None, "gradients": None,
                    "loss_error": "%s: %s" % (type(error).__name__, str(error)[:300])}

    def training(self, model, make_initializer, batches, loss_kind, learning_rate, seed):
        """[(loss value, largest logit gap)] per step of plain gradient descent (the tutorial's
        GradientDescentOptimizer), stopping after the first non-finite loss."""
        tf, v1 = self.tf, self.v1
        graph = tf.Graph()
        history = []
        with graph.as_default():
            v1.set_random_seed(seed)
            shape = [None] + list(batches[0][0].shape[1:])
            inputs = v1.placeholder(tf.float32, shape)
            labels = v1.placeholder(tf.int32, [None])
            built = self.forward(model, make_initializer, inputs, tf.float32)
            naive, stable = self.losses(built.logits, tf.one_hot(labels, 10), labels)
            loss = naive if loss_kind == "naive" else stable
            step = v1.train.GradientDescentOptimizer(learning_rate).minimize(loss)
            gap = tf.reduce_max(tf.reduce_max(built.logits, axis=1) -
                                tf.reduce_min(built.logits, axis=1))
            with v1.Session(graph=graph) as session:
                session.run(v1.global_variables_initializer())
                for x, y in batches:
                    value, gap_value, _ = session.run([loss, gap, step],
                                                      {inputs: x, labels: y.astype(np.int32)})
                    history.append((float(value), float(gap_value)))
                    if not np.isfinite(value):
                        break
        return history


def _log(tf, tensor):
    return tf.log(tensor) if hasattr(tf, "log") else tf.math.log(tensor)


class EagerApi(object):
    """A Keras layers module called eagerly on TensorFlow 2."""

    graph = False

    def __init__(self, tf, label, keras_module):
        self.tf = tf
        self.label = label
        self.keras = keras_module
        self.layers_module = keras_module.layers
        self.initializers = keras_module.initializers

    def _layer(self, spec, make_initializer, dtype_name, index):
        return make_layer(self.layers_module, spec, make_initializer, dtype_name, index)

    def _activation(self, name, tensor):
        return tf_activation(self.tf, name, tensor)

    def build(self, model, make_initializer, dtype_name):
        return [(spec, self._layer(spec, make_initializer, dtype_name, index))
                for index, spec in enumerate(model["layers"])]

    def forward(self, layers, x):
        built = Built()
        tensor = x
        for spec, layer in layers:
            pre = layer(tensor)
            if spec["type"] == "flatten":
                tensor = pre
                continue
            out = self._activation(spec.get("activation"), pre)
            built.layers.append({"spec": spec, "pre": pre, "out": out, "layer": layer,
                                 "kernel": getattr(layer, "kernel", None)})
            tensor = out
        built.logits = tensor
        return built

    def losses(self, logits, labels):
        tf = self.tf
        y = tf.one_hot(labels, 10, dtype=logits.dtype)
        naive = -tf.reduce_mean(tf.reduce_sum(y * tf.math.log(tf.nn.softmax(logits)), axis=1))
        stable = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits))
        return naive, stable

    def seed(self, seed):
        """The seeding a user of this Keras writes: keras.utils.set_random_seed where it exists
        (Keras 3's initializers ignore tf.random.set_seed), else tf.random.set_seed."""
        setter = getattr(getattr(self.keras, "utils", None), "set_random_seed", None)
        if setter is not None:
            setter(seed)
        else:
            self.tf.random.set_seed(seed)

    def lsuv(self, layers, x, ops=None):
        """LSUV's one-batch rescaling (as GraphApi._lsuv), on the built layers: each kernel in
        order divided by the std of its layer's pre-activation on `x`. The layers before it are
        rescaled already, so their output is carried forward instead of recomputed (as forward
        computes it: the same values), and a rescaled layer is applied again."""
        tensor = x
        for spec, layer in layers:
            pre = layer(tensor)
            if spec["type"] in WEIGHTED:
                std = float(np.std(_to_numpy(pre, ops).astype(np.float64)))
                if std > 0 and np.isfinite(std):
                    layer.kernel.assign(layer.kernel / std)
                    pre = layer(tensor)
            tensor = pre if spec["type"] == "flatten" else self._activation(spec.get("activation"),
                                                                            pre)

    def run(self, model, make_initializer, x, labels, dtype_name, seed, rescale_on=None):
        tf = self.tf
        self.seed(seed)
        layers = self.build(model, make_initializer, dtype_name)
        if rescale_on is not None:
            self.lsuv(layers, tf.cast(tf.constant(rescale_on.astype(np.float32)), dtype_name))
        inputs = tf.cast(tf.constant(x.astype(np.float32)), dtype_name)
        label_tensor = tf.constant(labels.astype(np.int32))
        losses = {"naive": None, "stable": None, "gradients": None}
        with tf.GradientTape() as tape:
            built = self.forward(layers, inputs)
            try:
                losses["naive"], losses["stable"] = self.losses(built.logits, label_tensor)
            except Exception as error:
                losses["loss_error"] = "%s: %s" % (type(error).__name__, str(error)[:300])
        kernels = [entry["kernel"] for entry in built.layers if entry["kernel"] is not None]
        if dtype_name == "float32" and losses["stable"] is not None:
            losses["gradients"] = tape.gradient(losses["stable"], kernels)
        values = {"pre": [e["pre"] for e in built.layers], "out": [e["out"] for e in built.layers],
                  "kernels": kernels, "logits": built.logits}
        values.update(losses)
        return _assemble(built, _numpy(values))

    def training(self, model, make_initializer, batches, loss_kind, learning_rate, seed):
        """As GraphApi.training: w <- w - learning_rate * gradient, eagerly, in a tf.function."""
        tf = self.tf
        self.seed(seed)
        layers = self.build(model, make_initializer, "float32")
        self.forward(layers, tf.constant(batches[0][0][:1]))  # create the weights
        variables = [layer.kernel for _, layer in layers if getattr(layer, "kernel", None) is not None]
        variables += [layer.bias for _, layer in layers if getattr(layer, "bias", None) is not None]

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                built = self.forward(layers, x)
                naive, stable = self.losses(built.logits, y)
                loss = naive if loss_kind == "naive" else stable
            gradients = tape.gradient(loss, variables)
            for variable, gradient in zip(variables, gradients):
                variable.assign_sub(learning_rate * gradient)
            gap = tf.reduce_max(tf.reduce_max(built.logits, axis=1) -
                                tf.reduce_min(built.logits, axis=1))
            return loss, gap

        history = []
        for x, y in batches:
            value, gap = step(tf.constant(x), tf.constant(y.astype(np.int32)))
            value = float(np.asarray(value))
            history.append((value, float(np.asarray(gap))))
            if not np.isfinite(value):
                break
        return history


class KerasOpsApi(EagerApi):
    """Keras 3 on a backend without TensorFlow: the layers and keras.ops; no gradients."""

    def __init__(self, keras_module):
        self.tf = None
        self.label = "keras"
        self.keras = keras_module
        self.layers_module = keras_module.layers
        self.initializers = keras_module.initializers

    def _activation(self, name, tensor):
        ops = self.keras.ops
        if name == "relu":
            return ops.relu(tensor)
        if name == "tanh":
            return ops.tanh(tensor)
        return tensor

    def losses(self, logits, labels):
        ops = self.keras.ops
        y = ops.one_hot(labels, 10, dtype=logits.dtype)
        naive = -ops.mean(ops.sum(y * ops.log(ops.softmax(logits)), axis=1))
        stable = -ops.mean(ops.sum(y * ops.log_softmax(logits), axis=1))
        return naive, stable

    def run(self, model, make_initializer, x, labels, dtype_name, seed, rescale_on=None):
        self.seed(seed)
        layers = self.build(model, make_initializer, dtype_name)
        ops = self.keras.ops
        if rescale_on is not None:
            self.lsuv(layers, ops.cast(ops.convert_to_tensor(rescale_on.astype(np.float32)),
                                       dtype_name), ops)
        built = self.forward(layers, ops.cast(ops.convert_to_tensor(x.astype(np.float32)),
                                              dtype_name))
        values = {"pre": [e["pre"] for e in built.layers], "out": [e["out"] for e in built.layers],
                  "kernels": [e["kernel"] for e in built.layers if e["kernel"] is not None],
                  "logits": built.logits, "gradients": None}
        try:
            values["naive"], values["stable"] = self.losses(
                built.logits, ops.convert_to_tensor(labels.astype(np.int32)))
        except Exception as error:
            values.update(naive=None, stable=None,
                          loss_error="%s: %s" % (type(error).__name__, str(error)[:300]))
        return _assemble(built, _numpy(values, ops))

    def training(self, model, make_initializer, batches, loss_kind, learning_rate, seed):
        raise NotImplementedError("training runs where TensorFlow computes the gradients")


def _to_numpy(value, ops=None):
    if value is None:
        return None
    if ops is not None:
        return np.asarray(ops.convert_to_numpy(value))
    if hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    if hasattr(value, "value") and hasattr(value.value, "numpy"):  # a Keras 3 variable
        return np.asarray(value.value.numpy())
    return np.asarray(value)


def _numpy(values, ops=None):
    converted = {}
    for key, value in values.items():
        if isinstance(value, str):
            converted[key] = value
        elif isinstance(value, list):
            converted[key] = [_to_numpy(v, ops) for v in value]
        else:
            converted[key] = _to_numpy(value, ops)
    return converted


def _assemble(built, values):
    """{"layers": [{spec, pre, out, kernel, gradient, initializer}], logits, naive, stable} with
    numpy arrays; a layer without a kernel (max_pool) has kernel and gradient None."""
    kernels = iter(values["kernels"])
    gradients = iter(values["gradients"] or [None] * len(values["kernels"]))
    layers = []
    for entry, pre, out in zip(built.layers, values["pre"], values["out"]):
        kernel = gradient = None
        if entry["kernel"] is not None:
            kernel, gradient = next(kernels), next(gradients)
        layers.append({"spec": entry["spec"], "pre": np.asarray(pre), "out": np.asarray(out),
                       "kernel": kernel, "gradient": gradient,
                       "initializer": getattr(entry["layer"], "kernel_initializer", None)})
    number = lambda value: None if value is None else float(value)
    return {"layers": layers, "logits": np.asarray(values["logits"]),
            "naive": number(values["naive"]), "stable": number(values["stable"]),
            "loss_error": values.get("loss_error")}
