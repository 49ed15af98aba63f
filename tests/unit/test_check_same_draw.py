"""When two environments' cells of a defaulted weight count as the same draw (check/layers.py).

The cells are those the check read for tf.keras LSTM's kernel, TF 1.15 against TF 2.16's
tf_keras under TF_USE_LEGACY_KERAS=1 (the default selection's results): the same Glorot bound,
both samples consistent with it, but one sample's largest value read "±0.2886" and the other's
"±0.2887" — which once made the check report "another distribution"."""

from initcompat.check.layers import _same_draw

THEORY = "uniform on ±0.2887 (Glorot: limit=sqrt(6/(fan_in+fan_out)); fan_in=8, fan_out=64)"
TF_1_15 = {"status": "ok", "declared": "Glorot uniform", "config": {}, "theory": THEORY,
           "drawn": "uniform on ±0.2886", "fit": "consistent", "shape": [8, 64]}
TF_2_16 = dict(TF_1_15, drawn="uniform on ±0.2887")


def test_two_samples_consistent_with_one_theory_are_the_same_draw():
    assert _same_draw(TF_1_15, TF_2_16)


def test_a_sample_that_does_not_fit_its_theory_is_judged_by_what_it_drew():
    misfit = dict(TF_2_16, fit="inconsistent", drawn="uniform on ±0.5")
    assert not _same_draw(TF_1_15, misfit)
    assert _same_draw(misfit, dict(misfit))


def test_another_declaration_config_theory_or_shape_is_another_draw():
    for key, value in (("declared", "Glorot normal"), ("config", {"scale": 2.0}),
                       ("theory", "uniform on ±0.5 (…)"), ("shape", [16, 64])):
        assert not _same_draw(TF_1_15, dict(TF_2_16, **{key: value})), key
