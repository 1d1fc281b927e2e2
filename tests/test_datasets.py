"""core.datasets: shapes, label sets, seeding, the sources' own rules, rejections."""
import numpy as np
import pytest

from core import datasets
from core.datasets import DATASETS, MAX_SAMPLES, make

NAMES = list(DATASETS)
CLASSIFIERS = [n for n in NAMES if DATASETS[n].problem == "classification"]
ACTIVATIONS = {"sigmoid", "tanh", "relu", "leaky_relu", "linear"}


def course_planar(seed=1, m=400, noise=0.2):
    """Ng's load_planar_dataset, verbatim apart from the parameters (and the transpose)."""
    np.random.seed(seed)
    N = int(m / 2)
    D = 2
    X = np.zeros((m, D))
    Y = np.zeros((m, 1), dtype="uint8")
    a = 4
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * noise
        r = a * np.sin(4 * t) + np.random.randn(N) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X, Y.ravel()


# --- registry ---------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_registry_entry_is_complete(name):
    s = DATASETS[name]
    assert s.name == name and s.label and s.description and "\n" not in s.description
    assert s.problem in datasets.PROBLEMS
    if s.problem == "regression":
        assert s.n_classes is None and s.class_range is None
    else:
        assert s.n_classes >= 2
    assert 1 <= s.default_n_samples <= MAX_SAMPLES and s.default_noise >= 0
    assert s.default_layers and all(isinstance(w, int) and w >= 1 and act in ACTIVATIONS
                                    for w, act in s.default_layers)
    assert s.default_learning_rate > 0 and s.default_optimizer in {"sgd", "momentum", "adam"}


def test_labels_are_unique_and_multiclass_sets_are_flagged():
    assert len({s.label for s in DATASETS.values()}) == len(DATASETS)
    assert {n for n, s in DATASETS.items() if s.multiclass} == {"multi_blobs", "multi_spiral"}
    assert all(DATASETS[n].class_range == (3, 10) for n in ("multi_blobs", "multi_spiral"))


# --- shapes, labels, seeding ------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [1, 2, 3, 7, None])
def test_shapes_and_dtypes(name, n):
    X, y = make(name, n_samples=n)
    n = n or DATASETS[name].default_n_samples
    assert X.shape == (n, 2) and X.dtype == np.float64 and np.all(np.isfinite(X))
    assert y.shape == (n,)
    if DATASETS[name].problem == "regression":
        assert y.dtype == np.float64 and np.all(np.isfinite(y))
    else:
        assert y.dtype == np.int64 and set(y) <= set(range(DATASETS[name].n_classes))


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_default_sets_hold_every_class(name):
    _, y = make(name)
    assert set(y) == set(range(DATASETS[name].n_classes))


@pytest.mark.parametrize("name", ["planar", "circle", "gauss", "spiral"])
def test_odd_sample_count_gives_the_first_class_the_extra_point(name):
    _, y = make(name, n_samples=7)
    first = y[0]
    assert np.sum(y == first) == 4 and np.sum(y != first) == 3


@pytest.mark.parametrize("name", ["multi_blobs", "multi_spiral"])
@pytest.mark.parametrize("k", [3, 4, 10])
def test_multiclass_sets_have_k_balanced_classes(name, k):
    _, y = make(name, n_samples=103, n_classes=k)
    counts = np.bincount(y)
    assert len(counts) == k and counts.max() - counts.min() <= 1 and counts.sum() == 103


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    X1, y1 = make(name, seed=7)
    X2, y2 = make(name, seed=7)
    X3, _ = make(name, seed=8)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("name", ["spiral", "multi_spiral"])
def test_noise_free_spirals_hold_nothing_random(name):
    assert np.array_equal(make(name, noise=0.0, seed=1)[0], make(name, noise=0.0, seed=2)[0])


@pytest.mark.parametrize("name", NAMES)
def test_global_random_state_is_left_alone(name):
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    make(name)
    assert np.random.random() == before


def test_none_means_registry_default():
    s = DATASETS["noisy_moons"]
    X, y = make("noisy_moons")
    X2, y2 = make("noisy_moons", n_samples=s.default_n_samples, noise=s.default_noise,
                  seed=datasets.DEFAULT_SEED, n_classes=2)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


# --- Ng's flower -----------------------------------------------------------------

def test_planar_equals_the_course_data_point_for_point():
    X_ref, Y_ref = course_planar()
    X, y = make("planar", n_samples=400, noise=0.2, seed=1)
    np.testing.assert_array_equal(X[:5], X_ref[:5])
    np.testing.assert_allclose(X[0], [1.204442292254319, 3.5761141481288448], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, Y_ref)
    assert np.array_equal(y[:200], np.zeros(200)) and np.array_equal(y[200:], np.ones(200))


@pytest.mark.parametrize("seed,m,noise", [(3, 200, 0.2), (1, 1000, 0.5), (0, 400, 0.0)])
def test_planar_follows_the_course_algorithm_for_other_settings(seed, m, noise):
    X_ref, Y_ref = course_planar(seed, m, noise)
    X, y = make("planar", n_samples=m, noise=noise, seed=seed)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, Y_ref)


# --- TF Playground's rules -------------------------------------------------------

def test_circle_radii_halves_and_noise_free_labels():
    X, y = make("circle", n_samples=1000, noise=0.0, seed=3)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(r[:500] < 2.5) and np.all((r[500:] >= 3.5) & (r[500:] <= 5))
    assert r[:500].max() > 2.3 and r[500:].min() < 3.7 and r[500:].max() > 4.8
    assert np.all(y[:500] == 1) and np.all(y[500:] == 0)


@pytest.mark.parametrize("name", ["circle", "xor", "reg_plane", "reg_gauss"])
def test_label_noise_never_moves_points(name):
    X0, y0 = make(name, n_samples=500, noise=0.0, seed=5)
    X5, y5 = make(name, n_samples=500, noise=0.5, seed=5)
    np.testing.assert_array_equal(X0, X5)
    assert not np.array_equal(y0, y5)


def test_xor_push_away_from_the_axes_and_noise_free_labels():
    X, y = make("xor", n_samples=2000, noise=0.0, seed=4)
    assert np.all(np.abs(X) >= 0.3) and np.all(np.abs(X) <= 5.3)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))


def test_xor_noise_flips_labels_only_near_the_axes():
    X, y = make("xor", n_samples=2000, noise=0.1, seed=4)
    flipped = y != (X[:, 0] * X[:, 1] >= 0)
    assert flipped.any() and np.all(np.abs(X[flipped]).min(axis=1) <= 0.5)


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_gauss_centres_and_variance(noise):
    X, y = make("gauss", n_samples=10_000, noise=noise, seed=6)
    for label, centre in [(1, 2.0), (0, -2.0)]:
        pts = X[y == label]
        np.testing.assert_allclose(pts.mean(axis=0), [centre, centre], atol=0.15)
        np.testing.assert_allclose(pts.var(axis=0), 0.5 + 7 * noise, rtol=0.06)


def test_spiral_radii_and_opposite_arms():
    X, y = make("spiral", n_samples=500, noise=0.0, seed=0)
    i = np.arange(250)
    np.testing.assert_allclose(np.hypot(*X[:250].T), 5 * i / 250, atol=1e-12)
    np.testing.assert_allclose(np.hypot(*X[250:].T), 5 * i / 250, atol=1e-12)
    t = 1.75 * 2 * np.pi * i / 250
    np.testing.assert_allclose(X[:250], np.c_[5 * i / 250 * np.sin(t), 5 * i / 250 * np.cos(t)],
                               atol=1e-12)
    np.testing.assert_allclose(X[250:], -X[:250], atol=1e-12)  # delta = pi
    assert np.all(y[:250] == 1) and np.all(y[250:] == 0)


def test_spiral_noise_moves_points_by_at_most_noise_per_axis():
    X0, _ = make("spiral", n_samples=500, noise=0.0, seed=0)
    X3, _ = make("spiral", n_samples=500, noise=0.3, seed=0)
    d = np.abs(X3 - X0)
    assert d.max() <= 0.3 and d.max() > 0.25


def test_reg_plane_target():
    X, y = make("reg_plane", n_samples=1000, noise=0.0, seed=2)
    assert np.all(np.abs(X) <= 6)
    np.testing.assert_allclose(y, X.sum(axis=1) / 10)
    Xn, yn = make("reg_plane", n_samples=1000, noise=0.5, seed=2)
    assert np.all(np.abs(yn - X.sum(axis=1) / 10) <= 2 * 6 * 0.5 / 10)


def reg_gauss_label(x, y):
    """TF Playground's getLabel, a loop with strict '>' starting from 0."""
    label = 0.0
    for cx, cy, sign in [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1),
                         (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]:
        new = sign * min(max(1 - np.hypot(x - cx, y - cy) / 2, 0), 1)
        if abs(new) > abs(label):
            label = new
    return label


def test_reg_gauss_matches_the_playground_loop():
    X, y = make("reg_gauss", n_samples=600, noise=0.0, seed=9)
    np.testing.assert_allclose(y, [reg_gauss_label(a, b) for a, b in X], atol=1e-12)
    assert y.min() >= -1 and y.max() <= 1 and y.min() < -0.8 and y.max() > 0.8


# --- scikit-learn sets -----------------------------------------------------------

def test_gaussian_quantiles_without_noise_splits_by_radius():
    X, y = make("gaussian_quantiles", n_samples=400, noise=0.0)
    r = np.hypot(*X.T)
    assert r[y == 0].max() <= r[y == 1].min()


def test_blobs_labels_are_six_centres_mod_2():
    _, y = make("blobs", n_samples=600)
    assert np.bincount(y).tolist() == [300, 300]


# --- rejections ------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,match", [
    (dict(name="circles"), r"unknown dataset 'circles'; choose one of: planar, .*circle"),
    (dict(name="circle", n_samples=0), r"n_samples must be between 1 and 10000, got 0"),
    (dict(name="circle", n_samples=10_001), r"n_samples must be between 1 and 10000, got 10001"),
    (dict(name="circle", n_samples=2.5), r"n_samples must be a whole number, got 2.5"),
    (dict(name="circle", n_samples=True), r"n_samples must be a whole number, got True"),
    (dict(name="circle", noise=-0.1), r"noise must be a finite number >= 0, got -0.1"),
    (dict(name="circle", noise=float("nan")), r"noise must be a finite number >= 0, got nan"),
    (dict(name="circle", noise=float("inf")), r"noise must be a finite number >= 0, got inf"),
    (dict(name="circle", noise="0.1"), r"noise must be a finite number >= 0, got '0.1'"),
    (dict(name="circle", seed=-1), r"seed must be between 0 and 4294967295, got -1"),
    (dict(name="circle", seed=1.5), r"seed must be a whole number, got 1.5"),
    (dict(name="circle", n_classes=3),
     r"'circle' always has 2 classes, got n_classes=3; for more classes use one of: "
     r"multi_blobs, multi_spiral"),
    (dict(name="multi_blobs", n_classes=2), r"'multi_blobs' supports n_classes from 3 to 10, got 2"),
    (dict(name="multi_spiral", n_classes=11),
     r"'multi_spiral' supports n_classes from 3 to 10, got 11"),
    (dict(name="multi_spiral", n_classes=3.0), r"n_classes must be a whole number, got 3.0"),
    (dict(name="reg_plane", n_classes=2),
     r"'reg_plane' is a regression set and takes no n_classes \(got 2\); leave it as None"),
])
def test_bad_arguments_are_refused_with_a_useful_message(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


def test_unknown_name_lists_every_valid_one():
    with pytest.raises(ValueError) as err:
        make("nope")
    assert all(n in str(err.value) for n in NAMES)


def test_numpy_integers_are_accepted():
    X, _ = make("xor", n_samples=np.int64(10), seed=np.int32(3), noise=np.float32(0.1))
    assert X.shape == (10, 2)


# --- the registry's default networks really learn their set ----------------------

# (epochs, minimum training accuracy, or R² for regression) with full-batch training.
TRAINS_TO = {
    "planar": (1000, 0.88), "noisy_circles": (300, 0.75), "noisy_moons": (300, 0.93),
    "blobs": (300, 0.95), "gaussian_quantiles": (300, 0.95), "moons": (300, 0.99),
    "circle": (300, 0.99), "xor": (300, 0.97), "gauss": (300, 0.99), "spiral": (300, 0.95),
    "reg_plane": (300, 0.95), "reg_gauss": (600, 0.9), "multi_blobs": (300, 0.97),
    "multi_spiral": (300, 0.95),
}


def default_network(spec, n_classes):
    """Hidden layers from the registry plus the output and loss the problem implies."""
    if spec.problem == "regression":
        return list(spec.default_layers) + [(1, "linear")], "mse"
    if n_classes == 2:
        return list(spec.default_layers) + [(1, "sigmoid")], "binary_cross_entropy"
    return list(spec.default_layers) + [(n_classes, "softmax")], "cross_entropy"


def test_every_set_has_a_training_target():
    assert set(TRAINS_TO) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_registry_defaults_train_well(name):
    import core
    if not hasattr(core, "train"):
        pytest.skip("the engine (core.Network, core.train) is not wired yet")
    spec = DATASETS[name]
    epochs, floor = TRAINS_TO[name]
    X, y = make(name)
    layers, loss = default_network(spec, spec.n_classes)
    net = core.Network(n_inputs=2, layers=layers, loss=loss, seed=2)
    history = core.train(net, X, y, optimizer=spec.default_optimizer,
                         learning_rate=spec.default_learning_rate, epochs=epochs)
    assert history.accuracy[-1] >= floor
