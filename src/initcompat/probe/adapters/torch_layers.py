"""PyTorch's layers for the framework probe (initcompat.probe.frameworks), built the torch way.

A torch module records no initializer: its constructor calls reset_parameters(), which calls
functions of torch.nn.init on its parameters. So the identity of each weight is observed: while
a layer is built, every public torch.nn.init function is wrapped and each outermost call is
recorded with its arguments and the parameter it filled. Shapes are torch's layout (a Linear's
weight is (out, in), a Conv2d's (out, in, kh, kw), an LSTM's weight_ih_l0 (4*hidden, in), gates
i, f, g, o); fans are torch.nn.init._calculate_fan_in_and_fan_out's (fan_in = size(1) times the
receptive field). Each unseeded build seeds torch's generator from os.urandom first, so the
sample is fresh draws, not the continuation of a seeded stream. An RNN's `bias` is the bias its gates add, bias_ih_l0 + bias_hh_l0; both are
cells of their own too. Python 3.6-clean.
"""

import inspect
import os
import sys

import numpy as np

import torch

FRAMEWORK = "torch"


def versions():
    return {"torch": torch.__version__, "numpy": np.__version__}


_INIT_NAMES = sorted(name for name in dir(torch.nn.init)
                     if not name.startswith("_") and callable(getattr(torch.nn.init, name))
                     and name not in ("calculate_gain",)
                     and inspect.isfunction(getattr(torch.nn.init, name)))


def _init_sites():
    """(module, attribute name, function) wherever torch holds a torch.nn.init function: the
    module itself, and the modules that imported one by name (MultiheadAttention's
    `from torch.nn.init import xavier_uniform_`)."""
    originals = dict((name, getattr(torch.nn.init, name)) for name in _INIT_NAMES)
    sites = []
    for module_name, module in sorted(sys.modules.items()):
        if module is None or not (module_name == "torch" or module_name.startswith("torch.")):
            continue
        for name, function in originals.items():
            for attribute in (name,):
                if getattr(module, attribute, None) is function:
                    sites.append((module, attribute, name, function))
    return sites


_SITES = []


class InitRecorder(object):
    """Wraps torch.nn.init's functions while a layer is built; calls[data_ptr] = [call, ...]."""

    def __init__(self):
        self.calls = []
        self.depth = 0
        self.saved = {}

    def __enter__(self):
        if not _SITES:
            _SITES.extend(_init_sites())
        wrapped = dict((name, self._wrap(name, function))
                       for _, _, name, function in _SITES)
        for module, attribute, name, function in _SITES:
            setattr(module, attribute, wrapped[name])
        return self

    def __exit__(self, *exc):
        for module, attribute, _, function in _SITES:
            setattr(module, attribute, function)
        return False

    def _wrap(self, name, original):
        recorder = self

        def recorded(tensor, *args, **kwargs):
            outermost = recorder.depth == 0
            recorder.depth += 1
            try:
                return original(tensor, *args, **kwargs)
            finally:
                recorder.depth -= 1
                if outermost and hasattr(tensor, "data_ptr"):
                    recorder.calls.append((tensor.data_ptr(), {
                        "function": "torch.nn.init." + name,
                        "args": [_plain(a) for a in args],
                        "kwargs": dict((k, _plain(v)) for k, v in sorted(kwargs.items()))}))
        return recorded


def _plain(value):
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return repr(value)[:200]


def _specs(dims):
    """(kind, constructor description, builder, layout per role) for the suite's layers."""
    d = dims
    specs = []

    def add(kind, name, make, config):
        if kind in d or kind in ("dense",):
            specs.append((kind, name, make, config))
    if "dense" in d:
        x = d["dense"]
        add("dense", "Linear", lambda x=x: torch.nn.Linear(x["input_dim"], x["units"]),
            {"in_features": x["input_dim"], "out_features": x["units"]})
    for kind, cls in (("conv1d", "Conv1d"), ("conv2d", "Conv2d"), ("conv3d", "Conv3d"),
                      ("conv2d_transpose", "ConvTranspose2d")):
        if kind in d:
            x = d[kind]
            specs.append((kind, cls, (lambda c=cls, x=x: getattr(torch.nn, c)(
                x["in_channels"], x["filters"], tuple(x["kernel_size"]))),
                {"in_channels": x["in_channels"], "out_channels": x["filters"],
                 "kernel_size": list(x["kernel_size"])}))
    if "embedding" in d:
        x = d["embedding"]
        specs.append(("embedding", "Embedding",
                      lambda x=x: torch.nn.Embedding(x["vocabulary"], x["output_dim"]),
                      {"num_embeddings": x["vocabulary"], "embedding_dim": x["output_dim"]}))
    for kind, cls in (("simple_rnn", "RNN"), ("lstm", "LSTM"), ("gru", "GRU")):
        if kind in d:
            x = d[kind]
            specs.append((kind, cls, (lambda c=cls, x=x: getattr(torch.nn, c)(
                x["input_dim"], x["units"])),
                {"input_size": x["input_dim"], "hidden_size": x["units"]}))
    if "batch_normalization" in d:
        x = d["batch_normalization"]
        specs.append(("batch_normalization", "BatchNorm1d",
                      lambda x=x: torch.nn.BatchNorm1d(x["features"]),
                      {"num_features": x["features"]}))
    if "layer_normalization" in d:
        x = d["layer_normalization"]
        specs.append(("layer_normalization", "LayerNorm",
                      lambda x=x: torch.nn.LayerNorm(x["features"]),
                      {"normalized_shape": x["features"]}))
    if "multi_head_attention" in d:
        x = d["multi_head_attention"]
        specs.append(("multi_head_attention", "MultiheadAttention",
                      lambda x=x: torch.nn.MultiheadAttention(x["query_dim"], x["num_heads"]),
                      {"embed_dim": x["query_dim"], "num_heads": x["num_heads"]}))
    return specs


RNN_KINDS = ("simple_rnn", "lstm", "gru")
NORM_KINDS = ("batch_normalization", "layer_normalization")


def role_of(kind, name):
    """A torch parameter name as a framework-neutral role (schema.FRAMEWORK_ROLES)."""
    base = {"weight_ih_l0": "kernel", "weight_hh_l0": "recurrent_kernel",
            "bias_ih_l0": "input_bias", "bias_hh_l0": "recurrent_bias",
            "in_proj_weight": "in_proj_kernel", "in_proj_bias": "in_proj_bias",
            "out_proj.weight": "output_kernel", "out_proj.bias": "output_bias"}
    if name in base:
        return base[name]
    if name == "weight":
        return "embeddings" if kind == "embedding" else ("gamma" if kind in NORM_KINDS
                                                          else "kernel")
    if name == "bias":
        return "beta" if kind in NORM_KINDS else "bias"
    return name


def _fans(tensor):
    if tensor.dim() < 2:
        return None, None, "torch: a 1-D tensor has no fans (a bias's bound comes from the weight)"
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(tensor)
    return int(fan_in), int(fan_out), "torch: fan_in = size(1) x receptive field, " \
                                      "fan_out = size(0) x receptive field"


def _layer(kind, name, make, config):
    state = {"calls": {}, "tensors": {}}
    probe_module = make()  # raises AttributeError where this torch has no such class
    params = list(probe_module.named_parameters())
    roles = [role_of(kind, n) for n, _ in params]
    if kind in RNN_KINDS:
        roles.append("bias")

    def build(seed):
        # an unseeded build starts from fresh entropy: torch's generator would otherwise go on
        # from the last seeded build (and a fresh process starts from torch's fixed default seed)
        torch.manual_seed(seed if seed is not None else
                          int.from_bytes(os.urandom(7), "little"))
        with InitRecorder() as recorder:
            module = make()
        weights = {}
        by_ptr = {}
        for param_name, param in module.named_parameters():
            role = role_of(kind, param_name)
            weights[role] = (param_name, param.detach().cpu().numpy().copy())
            by_ptr[param.data_ptr()] = role
            state["tensors"][role] = param
        if kind in RNN_KINDS:
            weights["bias"] = ("bias_ih_l0 + bias_hh_l0",
                               weights["input_bias"][1] + weights["recurrent_bias"][1])
        calls = {}
        for pointer, call in recorder.calls:
            if pointer in by_ptr:
                calls.setdefault(by_ptr[pointer], []).append(call)
        state["calls"] = calls
        return weights

    def identity(role):
        if role == "bias" and kind in RNN_KINDS:
            return {"function": "sum of bias_ih_l0 and bias_hh_l0",
                    "calls": state["calls"].get("input_bias", []) +
                    state["calls"].get("recurrent_bias", []),
                    "recorded_by": "torch.nn.init calls observed while the layer was built"}
        calls = state["calls"].get(role, [])
        last = calls[-1] if calls else None
        return {"function": last["function"] if last else None,
                "args": last["args"] if last else None,
                "kwargs": last["kwargs"] if last else None,
                "calls": calls,
                "recorded_by": "torch.nn.init calls observed while the layer was built"
                if calls else "no torch.nn.init call filled it (set by the constructor)"}

    def fans(role, shape):
        if role == "bias" and kind in RNN_KINDS:
            return None, None, "torch: a 1-D tensor has no fans"
        return _fans(state["tensors"][role])

    def layout(role):
        tensor = state["tensors"].get(role)
        if kind in ("dense",) and role == "kernel":
            return "(out_features, in_features)"
        if kind.startswith("conv") and role == "kernel":
            return "(in, out, *kernel_size)" if "transpose" in kind else "(out, in, *kernel_size)"
        if kind in RNN_KINDS and role in ("kernel", "recurrent_kernel"):
            return "(gates x hidden, %s) gates %s" % (
                "input" if role == "kernel" else "hidden",
                {"lstm": "i, f, g, o", "gru": "r, z, n", "simple_rnn": "one"}[kind])
        return "(%s,)" % ", ".join(str(d) for d in tensor.shape) if tensor is not None else "bias"

    return {"framework": FRAMEWORK, "api": "torch.nn", "layer": name, "kind": kind,
            "roles": roles, "build": build, "identity": identity, "fans": fans,
            "layout": layout, "config": config, "seed_call": "torch.manual_seed(%d)"}


def layers(dims):
    torch.set_num_threads(1)
    for kind, name, make, config in _specs(dims):
        try:
            layer = _layer(kind, name, make, config)
            layer["build"](None)  # fills identity, fans and layout state
        except Exception as error:
            layer = {"framework": FRAMEWORK, "api": "torch.nn", "layer": name, "kind": kind,
                     "roles": ["kernel"], "unavailable": "%s: %s" % (type(error).__name__, error)}
        yield layer
