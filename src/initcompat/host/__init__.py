"""The host side: builds one environment per matrix entry and runs the probe in it.

matrix (suites/matrix.toml) -> interpreters (find Python X.Y) -> environments (uv/pip install)
-> runner (probe, throughput, outcome files); ci_matrix turns the matrix into GitHub Actions legs.
Runs on a current Python; imports only initcompat.probe.schema of the probe side.
"""
