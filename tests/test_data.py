"""Datasets, splitting, standardizing and the DataLoader."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_circles, make_moons

from minitorch_nn.data import (
    DataLoader,
    describe_datasets,
    list_datasets,
    load_dataset,
    standardize,
    train_test_split,
)

NAMES = ["moons", "circles", "blobs", "xor", "spiral"]


# --------------------------------------------------------------------------- load_dataset


def test_list_datasets_names_every_dataset():
    assert list_datasets() == NAMES
    assert set(describe_datasets()) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n_samples", [7, 200])
def test_shapes_dtypes_and_labels(name, n_samples):
    X, y = load_dataset(name, n_samples=n_samples, noise=0.1, seed=0)
    assert X.shape == (n_samples, 2) and X.dtype == np.float64
    assert y.shape == (n_samples,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))
    n_classes = 3 if name in ("blobs", "spiral") else 2
    assert sorted(np.unique(y)) == list(range(n_classes))
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1  # as balanced as n_samples allows


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    X1, y1 = load_dataset(name, n_samples=50, seed=3)
    X2, y2 = load_dataset(name, n_samples=50, seed=3)
    X3, _ = load_dataset(name, n_samples=50, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


def test_seed_none_draws_fresh_data():
    X1, _ = load_dataset("moons", n_samples=30, seed=None)
    X2, _ = load_dataset("moons", n_samples=30, seed=None)
    assert not np.allclose(X1, X2)


def test_moons_and_circles_match_scikit_learn_generators():
    X, y = load_dataset("moons", n_samples=100, noise=0.1, seed=5)
    X_sk, y_sk = make_moons(n_samples=100, noise=0.1, random_state=5)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)
    X, y = load_dataset("circles", n_samples=60, noise=0.05, seed=2)
    X_sk, y_sk = make_circles(n_samples=60, noise=0.05, factor=0.5, random_state=2)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)


def test_circles_inner_class_has_half_the_radius_without_noise():
    X, y = load_dataset("circles", n_samples=40, noise=0.0, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.5)
    X, y = load_dataset("circles", n_samples=40, noise=0.0, seed=0, factor=0.3)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0], X[y == 1, 1]), 0.3)


def test_xor_labels_follow_the_quadrants_without_noise():
    X, y = load_dataset("xor", n_samples=100, noise=0.0, seed=1)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))


@pytest.mark.parametrize("name", ["blobs", "spiral"])
def test_n_classes_for_multiclass_datasets(name):
    X, y = load_dataset(name, n_samples=101, seed=0, n_classes=5)
    assert X.shape == (101, 2)
    assert sorted(np.unique(y)) == [0, 1, 2, 3, 4]


def test_spiral_points_lie_in_the_unit_disc():
    X, _ = load_dataset("spiral", n_samples=300, seed=0)
    assert np.hypot(X[:, 0], X[:, 1]).max() <= 1.0 + 1e-12


def test_noise_changes_the_spread():
    X0, _ = load_dataset("blobs", n_samples=300, noise=0.0, seed=0)
    X1, _ = load_dataset("blobs", n_samples=300, noise=1.0, seed=0)
    assert X1.std() > X0.std()


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown dataset 'moon'") as info:
        load_dataset("moon")
    for name in NAMES:
        assert name in str(info.value)


@pytest.mark.parametrize("bad", [0, 1, -5, 2.5, True, "100", None])
def test_bad_n_samples(bad):
    with pytest.raises(ValueError, match="n_samples"):
        load_dataset("moons", n_samples=bad)


def test_n_samples_must_cover_every_class():
    with pytest.raises(ValueError, match="n_samples must be an integer >= 3"):
        load_dataset("spiral", n_samples=2)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1", None])
def test_bad_noise(bad):
    with pytest.raises(ValueError, match="noise"):
        load_dataset("moons", noise=bad)


def test_bad_n_classes_seed_and_factor():
    with pytest.raises(ValueError, match="'moons' has 2 classes"):
        load_dataset("moons", n_classes=3)
    with pytest.raises(ValueError, match="n_classes"):
        load_dataset("blobs", n_classes=1)
    with pytest.raises(ValueError, match="seed"):
        load_dataset("moons", seed=-1)
    with pytest.raises(ValueError, match="factor"):
        load_dataset("circles", factor=1.5)


# --------------------------------------------------------------------------- split and scale


def test_train_test_split_sizes_stratified_and_seeded():
    X, y = load_dataset("blobs", n_samples=120, seed=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, seed=0)
    assert X_tr.shape == (90, 2) and X_te.shape == (30, 2)
    assert y_tr.shape == (90,) and y_te.shape == (30,)
    np.testing.assert_array_equal(np.bincount(y_te), [10, 10, 10])  # stratified
    # every sample ends up in exactly one part, rows stay paired with their labels
    rows = {tuple(r) + (int(c),) for r, c in zip(np.vstack([X_tr, X_te]), np.r_[y_tr, y_te])}
    assert rows == {tuple(r) + (int(c),) for r, c in zip(X, y)}
    again = train_test_split(X, y, test_size=0.25, seed=0)
    np.testing.assert_array_equal(again[1], X_te)
    other = train_test_split(X, y, test_size=0.25, seed=1)
    assert not np.array_equal(other[1], X_te)


def test_train_test_split_count_and_unstratifiable_labels():
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0] * 9 + [1])  # class 1 has one sample: cannot stratify, still splits
    X_tr, X_te, _, _ = train_test_split(X, y, test_size=3, seed=0)
    assert len(X_tr) == 7 and len(X_te) == 3


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.2, 0, 10, "a", True])
def test_train_test_split_bad_test_size(bad):
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(X, y, test_size=bad)


def test_train_test_split_length_mismatch():
    with pytest.raises(ValueError, match="same length, got 10 and 9"):
        train_test_split(np.zeros((10, 2)), np.zeros(9))


def test_standardize_fits_and_reuses_mean_and_std():
    X, _ = load_dataset("moons", n_samples=200, seed=0)
    X_std, mean, std = standardize(X)
    np.testing.assert_allclose(X_std.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_std.std(axis=0), 1.0)
    np.testing.assert_allclose(mean, X.mean(axis=0))
    new = np.array([[0.5, -0.25]])
    new_std, mean2, std2 = standardize(new, mean, std)
    np.testing.assert_allclose(new_std, (new - X.mean(axis=0)) / X.std(axis=0))
    np.testing.assert_array_equal(mean2, mean)
    np.testing.assert_array_equal(std2, std)


def test_standardize_constant_column_maps_to_zero():
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    X_std, _, std = standardize(X)
    assert std[1] == 1.0
    np.testing.assert_array_equal(X_std[:, 1], 0.0)
    assert np.all(np.isfinite(X_std))


def test_standardize_errors():
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match="both mean and std"):
        standardize(X, mean=np.zeros(2))
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        standardize(X, np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="std must be positive"):
        standardize(X, np.zeros(2), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="2-D"):
        standardize(np.ones(4))


# --------------------------------------------------------------------------- DataLoader


def _data(n=10):
    X = np.arange(2.0 * n).reshape(n, 2)
    y = np.arange(n)
    return X, y


def test_loader_covers_every_sample_once_per_epoch_and_keeps_partial_batch():
    X, y = _data(10)
    loader = DataLoader(X, y, batch_size=4, seed=0)
    assert len(loader) == 3
    for _ in range(3):  # several epochs
        batches = list(loader)
        assert [len(yb) for _, yb in batches] == [4, 4, 2]
        seen = np.concatenate([yb for _, yb in batches])
        assert sorted(seen) == list(range(10))
        for Xb, yb in batches:  # rows stay paired with their labels
            np.testing.assert_array_equal(Xb, X[yb])
            assert Xb.shape == (len(yb), 2)


def test_loader_without_shuffle_keeps_order():
    X, y = _data(5)
    loader = DataLoader(X, y, batch_size=2, shuffle=False)
    assert [list(yb) for _, yb in loader] == [[0, 1], [2, 3], [4]]
    assert [list(yb) for _, yb in loader] == [[0, 1], [2, 3], [4]]


def test_loader_reshuffles_every_epoch_reproducibly():
    X, y = _data(30)

    def epochs(loader, k=3):
        return [np.concatenate([yb for _, yb in loader]) for _ in range(k)]

    a = epochs(DataLoader(X, y, batch_size=8, seed=7))
    b = epochs(DataLoader(X, y, batch_size=8, seed=7))
    c = epochs(DataLoader(X, y, batch_size=8, seed=8))
    for ea, eb in zip(a, b):
        np.testing.assert_array_equal(ea, eb)
    assert not np.array_equal(a[0], a[1])  # a new order each epoch
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[0], np.arange(30))


def test_loader_batch_larger_than_data_gives_one_batch():
    X, y = _data(3)
    loader = DataLoader(X, y, batch_size=100, shuffle=False)
    assert len(loader) == 1
    ((Xb, yb),) = list(loader)
    np.testing.assert_array_equal(Xb, X)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_loader_rejects_non_finite_X(value):
    X, y = _data(6)
    X[4, 1] = value
    with pytest.raises(ValueError, match="NaN or inf.*row 4, column 1"):
        DataLoader(X, y, batch_size=2)


def test_loader_rejects_non_finite_float_y():
    X, _ = _data(3)
    with pytest.raises(ValueError, match="y contains NaN"):
        DataLoader(X, np.array([0.0, np.nan, 1.0]), batch_size=2)


def test_loader_rejects_length_mismatch():
    X, y = _data(6)
    with pytest.raises(ValueError, match="same length, got 6 and 5"):
        DataLoader(X, y[:5], batch_size=2)


@pytest.mark.parametrize("bad", [0, -1, 1.5, None, True])
def test_loader_rejects_bad_batch_size(bad):
    X, y = _data(6)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        DataLoader(X, y, batch_size=bad)


def test_loader_rejects_non_2d_X_and_empty_data():
    with pytest.raises(ValueError, match=r"X must be 2-D.*got shape \(6,\)"):
        DataLoader(np.zeros(6), np.zeros(6), batch_size=2)
    with pytest.raises(ValueError, match="empty"):
        DataLoader(np.zeros((0, 2)), np.zeros(0), batch_size=2)
