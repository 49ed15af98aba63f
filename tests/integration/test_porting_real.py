"""One porting check on real installs: PyTorch 1.0's nn.Linear default, drawn in real Flax 0.12
by the snippet the theory writes, against the draws PyTorch itself made, at the suite's sizes
and at the second ones (torch-1.0 and flax-0.12 of the matrix, built and probed by the runner as
`nox -s` does; each about 1.2 GB / 0.7 GB, seconds to probe once installed)."""

from initcompat.probe import schema
from initcompat.measurements.porting.section.comparisons import (DIFFERS, MATCHES, SNIPPET_ERROR,
                                                                 porting_rows)


def test_pytorch_linear_ported_to_flax_draws_what_pytorch_draws_at_any_size(probed):
    torch_result, flax_result = probed("torch-1.0"), probed("flax-0.12")
    for result in (torch_result, flax_result):
        assert result["status"] == "ok", result.get("reason")
        assert result["outcome"]["steps"]["porting"]["status"] == schema.STEP_OK
        assert result["outcome"]["steps"]["seeding"]["status"] == schema.STEP_SKIPPED
    linear = next(c for c in torch_result["framework_cells"] if c["layer"] == "Linear"
                  and c["weight_role"] == "kernel")
    # observed, not assumed: the call reset_parameters made, on torch's (out, in) layout
    assert linear["initializer"]["function"] == "torch.nn.init.kaiming_uniform_"
    assert linear["shape"] == [40, 96] and (linear["fan_in"], linear["fan_out"]) == (96, 40)
    rows = [r for r in porting_rows([torch_result, flax_result]) if not r["to_api"]]
    for sizes, shape in (("96→40", [96, 40]), ("24→150", [24, 150])):
        (row,) = [r for r in rows if (r["layer"], r["weight"], r["from_env"], r["to_env"],
                                      r["sizes"]) == ("dense", "kernel", "torch-1.0",
                                                      "flax-0.12", sizes)]
        assert 'variance_scaling(1 / 3, "fan_in", "uniform")' in row["snippet"]
        assert row["to_shape"] == shape
        assert row["verdict"] == MATCHES, row["statistic"]
        assert row["default_verdict"] == DIFFERS, row["default_statistic"]  # not lecun_normal
        (bias,) = [r for r in rows if (r["layer"], r["weight"], r["from_env"], r["to_env"],
                                       r["sizes"]) == ("dense", "bias", "torch-1.0",
                                                       "flax-0.12", sizes)]
        assert "fan_in = in_features" in bias["snippet"]
        assert bias["verdict"] == MATCHES, bias["statistic"]
    # and the other way round on this old PyTorch: no trunc_normal_ for Flax's lecun_normal
    back = [r for r in rows if (r["layer"], r["weight"], r["from_env"], r["to_env"])
            == ("dense", "kernel", "flax-0.12", "torch-1.0")]
    assert len(back) == 2 and all(r["verdict"] == SNIPPET_ERROR and "trunc_normal_" in
                                  r["statistic"] for r in back)
