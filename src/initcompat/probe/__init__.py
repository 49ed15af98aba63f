"""The probe: runs inside one TensorFlow environment (Python 3.6+, stdlib + numpy + the framework).

Nothing here imports the report side; the report side imports `initcompat.probe.schema`.
"""
