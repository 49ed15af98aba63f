"""The measurements, one entry each in initcompat.measurements.registry (see its docstring)."""
