"""The throughput measurement: initialization speed per API family, layer, size and device, timed
with pyperf beside the machine's own ceilings (NAME.pyperf.json, NAME.throughput.json).

  probe.py       the step (python -m initcompat.measurements.throughput.probe): runs the pyperf
                 workers one after another, alone (the runner's timing lock), writes both files
  tasks.py       what a worker times (TensorFlow's families, or probe/device_timing.py's
                 devices and builds for another framework)
  summary.py     the summary file built from the workers' pyperf suites
  validation.py  the file kind's validation (validate_throughput)
  section/       the report's Throughput section: loading the pyperf files, statistics,
                 charts, tables, CSV and template (formatting.py's si is also the GPU
                 section's)

Everything but section/ runs inside the environments (Python 3.6-clean). Tests:
tests/unit/measurements/throughput/ and tests/integration/test_throughput_real_tf.py.
"""
