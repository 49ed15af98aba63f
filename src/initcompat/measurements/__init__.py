"""The measurements, one entry each in initcompat.measurements.registry, and the folders of those
that have moved into the one-folder shape (CONTRIBUTING.md, "Add a measurement").

A measurement's folder, initcompat/measurements/NAME/ (initializers, seeding,
propagation, porting, throughput):

  __init__.py     what the measurement asks and where each part is (imports nothing)
  probe.py        the step the runner runs inside each environment (python -m ...NAME.probe);
                  it writes NAME.<kind>.json
  *.py            the rest of its probe side (initializers: namespaces.py, drawer.py,
                  audit.py; seeding: families.py, draws.py; propagation: models.py;
                  porting: snippets.py, theory.py; throughput: tasks.py, summary.py)
  validation.py   its file kind's validation (validate_<kind>), registered in
                  initcompat.probe.validation
  section/        the report side: its section (the View field the registry names: build_<name>,
                  its timeline events, its CSV_TABLES) and its template <section>.html.j2

Everything in the folder except section/ runs inside the environments: Python 3.6-clean, stdlib,
numpy and the framework only, never importing initcompat.host, .report, .check or .suite
(tests/unit/test_import_graph.py); the host's reuse check hashes it with the probe
(host.reuse.probe_code_hash). section/ runs on the host's current Python with the report. The
measurement's tests mirror the folder: tests/unit/measurements/NAME/.
"""
