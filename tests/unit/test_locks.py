"""The lock diff (report/locks.py): what moved between two environments' resolved locks."""

from initcompat.report.locks import (candidate_groups, lock_diff, moved_text, normalised,
                                     parse_lock)

KERAS_38 = ["jax==0.4.38", "jaxlib==0.4.38", "keras==3.8.0", "ml-dtypes==0.5.1", "numpy==2.2.1",
            "absl-py==2.1.0", "rich==13.9.4", "h5py==3.12.1"]
KERAS_39 = ["jax==0.5.3", "jaxlib==0.5.3", "keras==3.9.2", "ml_dtypes==0.5.1", "numpy==2.2.4",
            "absl-py==2.2.1", "rich==14.0.0", "h5py==3.13.0", "namex==0.0.8"]


def test_names_are_normalised_as_pep_503_compares_them():
    assert normalised("ML_Dtypes") == "ml-dtypes"
    assert normalised("tf.keras") == "tf-keras"
    assert parse_lock(["ML_Dtypes==0.5.1", "# a comment", "", "garbage"]) == {"ml-dtypes": "0.5.1"}


def test_a_direct_reference_keeps_the_file_name_and_junk_is_no_lock():
    lock = parse_lock(["foo @ file:///tmp/foo-1.0-py3-none-any.whl", "bar[extra]==2.0", 7])
    assert lock == {"foo": "foo-1.0-py3-none-any.whl", "bar": "2.0"}
    assert parse_lock(None) == {} and parse_lock("keras==3.8.0") == {}


def test_the_diff_lists_changed_added_and_removed_with_versions_interesting_first():
    diff = lock_diff(KERAS_38, KERAS_39)
    assert diff["changed"][:4] == [("keras", "3.8.0", "3.9.2"), ("jax", "0.4.38", "0.5.3"),
                                   ("jaxlib", "0.4.38", "0.5.3"), ("numpy", "2.2.1", "2.2.4")]
    assert [name for name, _, _ in diff["changed"][4:]] == ["absl-py", "h5py", "rich"]
    assert diff["added"] == [("namex", "0.0.8")]
    assert diff["removed"] == []
    # ml_dtypes and ml-dtypes are one package at one version: not a move
    assert all(name != "ml-dtypes" for name, _, _ in diff["changed"])
    back = lock_diff(KERAS_39, KERAS_38)
    assert back["removed"] == [("namex", "0.0.8")] and back["added"] == []


def test_the_short_line_names_the_interesting_moves_and_counts_the_rest():
    assert moved_text(lock_diff(KERAS_38, KERAS_39)) == (
        "keras 3.8.0 → 3.9.2, jax 0.4.38 → 0.5.3, jaxlib 0.4.38 → 0.5.3, "
        "numpy 2.2.1 → 2.2.4 and 4 more")
    assert moved_text(lock_diff(KERAS_38, KERAS_38)) == "no package moved"
    assert moved_text(None) == ""
    only_rest = lock_diff(["rich==1", "six==1"], ["rich==2", "six==2", "zipp==3"])
    assert moved_text(only_rest, named=2) == "rich 1 → 2, six 1 → 2 and 1 more"
    assert moved_text(lock_diff(["a==1"], ["b==2"])) == "a removed (1), b added (2)"


def test_candidates_are_the_interesting_moves_with_jax_and_jaxlib_as_one():
    assert candidate_groups(lock_diff(KERAS_38, KERAS_39)) == [
        ("keras",), ("jax", "jaxlib"), ("numpy",)]
    assert candidate_groups(lock_diff(["jax==1", "jaxlib==1"], ["jax==2", "jaxlib==1"])) == [
        ("jax",)]
    assert candidate_groups(lock_diff(["rich==1"], ["rich==2"])) == []
