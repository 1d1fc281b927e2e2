"""core.features: the feature columns, standardisation, the stratified split."""
import numpy as np
import pytest

from core.datasets import make
from core.features import (DEFAULT_FEATURES, FEATURES, Standardizer, feature_matrix,
                           train_test_split)

X = np.array([[1.0, 2.0], [-0.5, 0.0], [3.0, -4.0]])


def test_registry_ids_and_labels():
    assert list(FEATURES) == ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]
    assert [f.label for f in FEATURES.values()] == [
        "x1", "x2", "x1²", "x2²", "x1·x2", "sin x1", "sin x2"]
    assert DEFAULT_FEATURES == ("x1", "x2")


def test_every_feature_column():
    F = feature_matrix(X, list(FEATURES))
    x1, x2 = X.T
    expected = np.c_[x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)]
    assert F.shape == (3, 7)
    np.testing.assert_array_equal(F, expected)


def test_columns_follow_the_chosen_order_and_empty_x_works():
    np.testing.assert_array_equal(feature_matrix(X, ["x2", "x1"]), X[:, ::-1])
    assert feature_matrix(X, "x1x2").shape == (3, 1)
    assert feature_matrix(np.zeros((0, 2)), ["x1", "sinx2"]).shape == (0, 2)


@pytest.mark.parametrize("ids,match", [
    (["x1", "x3"], r"unknown feature 'x3'; valid ones: x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2"),
    ([], r"choose at least one input feature; valid ones: x1, x2, x1sq"),
    (["x1", "x1"], r"feature 'x1' is chosen more than once"),
])
def test_bad_feature_ids(ids, match):
    with pytest.raises(ValueError, match=match):
        feature_matrix(X, ids)


def test_x_must_be_two_columns():
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got \(3, 3\)"):
        feature_matrix(np.zeros((3, 3)), ["x1"])


# --- Standardizer ----------------------------------------------------------------

def test_standardizer_is_fitted_on_train_only():
    train = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 10.0]])
    test = np.array([[100.0, 11.0]])
    s = Standardizer().fit(train)
    np.testing.assert_allclose(s.mean, [2.0, 10.0])
    np.testing.assert_allclose(s.std, [np.sqrt(8 / 3), 1.0])  # constant column: std 1
    Z = s.transform(train)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z[:, 0].std(), 1)
    np.testing.assert_allclose(s.transform(test), [[98 / np.sqrt(8 / 3), 1.0]])
    # the test point did not leak into the statistics
    np.testing.assert_allclose(s.mean, [2.0, 10.0])
    assert s.transform(np.zeros((0, 2))).shape == (0, 2)


def test_fit_transform_equals_fit_then_transform():
    Xt, _ = make("gauss", n_samples=50)
    np.testing.assert_array_equal(Standardizer().fit_transform(Xt),
                                  Standardizer().fit(Xt).transform(Xt))


def test_standardizer_misuse():
    with pytest.raises(ValueError, match="not fitted yet; call fit"):
        Standardizer().transform(X)
    with pytest.raises(ValueError, match=r"non-empty \(N, F\) array, got shape \(0, 2\)"):
        Standardizer().fit(np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r"expected shape \(M, 2\), got \(3, 1\)"):
        Standardizer().fit(X).transform(X[:, :1])


# --- train_test_split ------------------------------------------------------------

def test_split_sizes_and_partition():
    Xd, y = make("circle", n_samples=500)
    Xtr, Xte, ytr, yte = train_test_split(Xd, y, test_ratio=0.3, seed=1)
    assert Xtr.shape == (350, 2) and Xte.shape == (150, 2)
    assert ytr.shape == (350,) and yte.shape == (150,)
    rows = {tuple(r) for r in np.vstack([Xtr, Xte])}
    assert rows == {tuple(r) for r in Xd}


def test_stratified_split_keeps_class_ratios():
    Xd, y = make("multi_blobs", n_samples=600, n_classes=3)
    y = np.where(np.arange(600) < 100, 0, y)  # unbalanced: class 0 is larger
    _, _, ytr, yte = train_test_split(Xd, y, test_ratio=0.25, seed=3)
    for c, n in enumerate(np.bincount(y)):
        assert abs(np.sum(yte == c) - 0.25 * n) <= 1
        assert np.sum(ytr == c) + np.sum(yte == c) == n


def test_stratified_split_keeps_a_training_point_of_every_class():
    y = np.array([0, 1, 1, 1, 1])
    _, _, ytr, _ = train_test_split(np.zeros((5, 2)), y, test_ratio=0.9, seed=0)
    assert set(ytr) == {0, 1}


def test_zero_test_ratio_gives_an_empty_test_set():
    Xd, y = make("reg_plane", n_samples=40)
    Xtr, Xte, ytr, yte = train_test_split(Xd, y, 0.0, seed=0, stratify=False)
    assert Xtr.shape == (40, 2) and Xte.shape == (0, 2) and yte.shape == (0,)
    np.testing.assert_array_equal(np.sort(ytr), np.sort(y))


def test_split_is_seeded():
    Xd, y = make("xor", n_samples=100)
    a = train_test_split(Xd, y, 0.5, seed=4)
    b = train_test_split(Xd, y, 0.5, seed=4)
    c = train_test_split(Xd, y, 0.5, seed=5)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("kwargs,match", [
    (dict(test_ratio=1.0), r"test_ratio must be in \[0, 1\), got 1.0"),
    (dict(test_ratio=-0.1), r"test_ratio must be in \[0, 1\), got -0.1"),
    (dict(test_ratio="0.2"), r"test_ratio must be in \[0, 1\), got '0.2'"),
    (dict(seed=-1), r"seed must be a whole number >= 0, got -1"),
    (dict(seed=None), r"seed must be a whole number >= 0, got None"),
])
def test_bad_split_arguments(kwargs, match):
    Xd, y = make("xor", n_samples=10)
    with pytest.raises(ValueError, match=match):
        train_test_split(Xd, y, **{"test_ratio": 0.5, "seed": 0, **kwargs})


def test_stratify_needs_integer_labels():
    Xd, y = make("reg_plane", n_samples=10)
    with pytest.raises(ValueError, match="needs integer class labels; use stratify=False"):
        train_test_split(Xd, y, 0.5, seed=0)
    with pytest.raises(ValueError, match=r"X must be \(N, d\) and y \(N,\), got \(10, 2\) and \(9,\)"):
        train_test_split(Xd, y[:9], 0.5, seed=0, stratify=False)
