"""initcompat: what TensorFlow does when you pass no initializer, measured per version."""

__version__ = "0.1.0"
