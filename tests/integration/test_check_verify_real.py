"""`initcompat check --verify` for real: fixes run in a real TF 2.21 environment by the probe's
fix_runs module (through host/fix_runner.py, as the check runs them) and judged against the
draws TF 1.15 measured, so each verdict follows from the draws: GRU(reset_after=False) gives
TF 1.15's GRU (matches), reset_after=True does not (its bias has another shape), an
initializer with TF 1.15's arguments matches and with others differs, and code that raises is
"raised". A second call runs nothing. Uses tf-1.15 and tf-2.21 as the other integration tests
do (probed once per session); the fix runs add about ten seconds."""

from pathlib import Path

from initcompat.check.findings import DIFFERS, RAISED, VERIFIED
from initcompat.check.verdicts import initializer_verdict, layer_verdict
from initcompat.host import fix_runner
from initcompat.host.matrix import load_matrix
from initcompat.report.initializer_records import record_key

ROOT = Path(__file__).resolve().parents[2]
ROLES = ["kernel", "recurrent_kernel", "bias"]
RANDOM_NORMAL = ["tf.keras.initializers", "constructor", "RandomNormal", "{}"]


def gru(reset_after: bool) -> dict:
    return {"kind": "layer", "env": "tf-2.21", "family": "tf.keras", "legacy_keras": False,
            "layer": "gru", "settings": {"reset_after": reset_after}, "initializers": {},
            "roles": ROLES, "reference": {"env": "tf-1.15", "rows": [
                ["tf.keras", False, "gru", role] for role in ROLES]}}


def random_normal(code: str) -> dict:
    return {"kind": "initializer", "env": "tf-2.21", "code": code, "legacy_keras": False,
            "reference": {"env": "tf-1.15", "key": RANDOM_NORMAL}}


def test_fixes_run_in_a_real_environment_are_judged_by_their_draws(probed, tmp_path):
    old, new = probed("tf-1.15"), probed("tf-2.21")
    assert new["status"] == "ok"
    matrix = load_matrix(ROOT / "suites" / "matrix.toml")
    recipes = [gru(False), gru(True),
               random_normal("tf.keras.initializers.RandomNormal(stddev=0.05)"),
               random_normal("tf.keras.initializers.RandomNormal(stddev=1.0)"),
               random_normal("tf.keras.initializers.RandomNormal(stddev=0.05, nope=2)")]

    def run():
        return fix_runner.run_for_environment(
            matrix, "tf-2.21", recipes, results=tmp_path, envs=ROOT / ".nox", source=ROOT / "src",
            suite_path=ROOT / matrix.suite, build=False, echo=lambda line: None)

    ran, keys = run()
    assert (ran.ran, ran.reused, ran.problems) == (5, 0, {})
    cells = {(c["api_family"], c["legacy_keras"], c["layer_kind"], c["weight_role"]): c
             for c in old["cells"]}
    source = next(r for r in old["initializers"]["records"] if list(record_key(r)) == RANDOM_NORMAL)
    assert source["config"]["stddev"] == 0.05  # what TF 1.15 measured, not assumed
    labels = ("TF 1.15", "TF 2.21")
    found = []
    for index, recipe in enumerate(recipes):
        body = ran.bodies[keys[index]]
        judge = layer_verdict if recipe["kind"] == "layer" else initializer_verdict
        found.append(judge(recipe, body, cells if recipe["kind"] == "layer" else source, labels))
    assert [v.status for v in found] == [VERIFIED, DIFFERS, VERIFIED, DIFFERS, RAISED], \
        [v.text for v in found]
    assert "bias shape 2×48 here, 48 in TF 1.15" in found[1].text
    assert "raised TypeError" in found[4].text and "nope" in found[4].text
    drawn = {c["weight_role"]: c for c in ran.bodies[keys[0]]["cells"]}
    assert drawn["bias"]["layer_config"]["reset_after"] is False  # the fix's setting was passed
    again, same_keys = run()
    assert (again.ran, again.reused, same_keys) == (0, 5, keys)
