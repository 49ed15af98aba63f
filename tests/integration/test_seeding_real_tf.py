"""The seeding step against real TensorFlow 1.15 and 2.21 installs (no fake tf module anywhere):
what each seeding method does, measured in two fresh processes and twice in one."""

from initcompat.probe import schema

DENSE, DIRECT = schema.SEED_TARGETS


def seeding(result, family, method, target=DENSE):
    found = [r for r in result["seeding"]["records"]
             if (r["family"], r["method"], r["target"]) == (family, method, target)]
    assert len(found) == 1, (family, method, target, len(found))
    return found[0]


def test_the_step_ran_quickly_and_wrote_every_family_method_and_target(probed):
    for name in ("tf-1.15", "tf-2.21"):
        result = probed(name)
        step = result["outcome"]["steps"]["seeding"]
        assert step["status"] == schema.STEP_OK, step
        assert step["seconds"] < 60, step  # two TF imports in parallel, then milliseconds a draw
        keys = {(r["family"], r["method"], r["target"]) for r in result["seeding"]["records"]}
        assert len(keys) == len(result["seeding"]["records"]) == 5 * len(schema.SEED_METHODS) * 2


def test_tf_1_15_graph_seeds_are_reproducible_and_no_seed_is_not(probed):
    result = probed("tf-1.15")
    for family in ("tf.layers", "tf.compat.v1.layers", "tf.keras"):
        for target in schema.SEED_TARGETS:
            seeded = seeding(result, family, "tf.set_random_seed", target)
            assert seeded["status"] == schema.SEED_REPRODUCIBLE, seeded
            assert seeded["repeat_identical"] and seeded["sha256"] == seeded["sha256_other_process"]
            assert seeded["call"].startswith("in a fresh tf.Graph: tf.set_random_seed(1234); ")
            unseeded = seeding(result, family, "no seed", target)
            assert unseeded["status"] == schema.SEED_NOT_REPRODUCIBLE, unseeded
            assert unseeded["cross_process_identical"] is False
    # tf.layers and tf.compat.v1.layers are one module in 1.15: the same bytes
    assert seeding(result, "tf.layers", "tf.set_random_seed")["sha256"] == \
        seeding(result, "tf.compat.v1.layers", "tf.set_random_seed")["sha256"]
    missing = seeding(result, "tf.keras", "tf.random.set_seed")
    assert missing["status"] == schema.SEED_UNAVAILABLE and "set_seed" in missing["reason"]
    utils = seeding(result, "tf.keras", "keras.utils.set_random_seed")
    assert utils["status"] == schema.SEED_UNAVAILABLE and "set_random_seed" in utils["reason"]
    assert seeding(result, "tf_keras", "no seed")["status"] == schema.SEED_UNAVAILABLE


def test_tf_2_21_needs_set_random_seed_tf_random_set_seed_alone_does_not_reproduce(probed):
    result = probed("tf-2.21")
    for family in ("tf.keras", "keras", "tf_keras"):
        utils = seeding(result, family, "keras.utils.set_random_seed")
        assert utils["status"] == schema.SEED_REPRODUCIBLE, utils
        assert utils["call"].startswith(family + ".utils.set_random_seed(1234); ")
        for method in ("tf.random.set_seed", "no seed"):
            record = seeding(result, family, method)
            assert record["status"] == schema.SEED_NOT_REPRODUCIBLE, record
            assert record["sha256"] != record["sha256_other_process"]
        direct = seeding(result, family, schema.SEED_METHODS[5], DIRECT)
        assert direct["status"] == schema.SEED_REPRODUCIBLE and direct["repeat_identical"]
        twice = seeding(result, family, "same seeded instance twice", DIRECT)
        assert twice["calls_identical"] is True  # an int-seeded initializer repeats its values
    assert seeding(result, "tf.keras", "tf.set_random_seed")["status"] \
        == schema.SEED_UNAVAILABLE
    gone = seeding(result, "tf.compat.v1.layers", "tf.compat.v1.set_random_seed")
    assert gone["status"] == schema.SEED_UNAVAILABLE and "Keras 3" in gone["reason"]
    assert result["seeding"]["versions"]["tensorflow"].startswith("2.21.")


def test_numpy_and_python_seeds_alone_are_measured_in_every_family(probed):
    """What the old Keras FAQ's np.random.seed / random.seed do alone: offered everywhere (numpy
    and Python are always there), so never 'unavailable'; a TF 1 graph draws from its own
    graph-level and op seeds, so neither makes tf.layers reproducible."""
    result = probed("tf-1.15")
    for method in ("np.random.seed", "random.seed"):
        record = seeding(result, "tf.layers", method)
        assert record["status"] == schema.SEED_NOT_REPRODUCIBLE, record
        assert record["call"].startswith("in a fresh tf.Graph: %s(1234); " % method)
    result = probed("tf-2.21")
    for family in ("tf.keras", "keras", "tf_keras"):
        for method in ("np.random.seed", "random.seed"):
            record = seeding(result, family, method)
            assert record["status"] in (schema.SEED_REPRODUCIBLE, schema.SEED_NOT_REPRODUCIBLE), record
            assert record["call"].startswith("%s(1234); " % method)
