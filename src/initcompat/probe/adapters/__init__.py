"""The framework adapters: how the probe builds layers and reads their weights' initializers in a
framework other than TensorFlow's own APIs (whose families, graph and eager, are
initcompat.probe.apis and the *_families modules beside it).

  torch_layers.py  PyTorch's layers (the framework probe, initcompat.probe.frameworks)
  flax_layers.py   Flax's layers, linen and nnx (the framework probe)
  stax_layers.py   jax.example_libraries.stax (the framework probe)
  jax_identity.py  how a JAX initializer is recorded and its fans (shared by Flax and stax)
  keras_only.py    a session of the Keras axis: Keras 3 on JAX, PyTorch or NumPy, no TensorFlow

Each is imported only in a session of its framework. Python 3.6-clean.
"""
