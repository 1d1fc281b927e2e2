"""The GIF export: the default lesson's run as 60–120 frames, under 5 MB and 10 s,
decodable by Pillow, early frames that differ, the app's colours; K classes and
regression too. Points are rows (N, 2)."""
import io
import time

import numpy as np
import pytest
from PIL import Image, ImageSequence

from core import Network, Trainer, datasets
from core.features import train_test_split
from core.pipeline import InputPipeline
from core.snapshots import WeightSnapshots
from explorer.figures.animation import MARGIN, PLOT, boundary_gif
from explorer.figures.boundary import surface_rgb


def _run(dataset, layers, loss, epochs, *, init="xavier", n_classes=None, standardize=False, **training):
    X, y = datasets.make(dataset, seed=1, n_classes=n_classes)
    classify = datasets.DATASETS[dataset].problem == "classification"
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.2, seed=1, stratify=classify)
    pipe = InputPipeline.fit(X_tr, ("x1", "x2"), standardize)
    net = Network(2, layers, loss, seed=2, init=init)
    trainer = Trainer(net, pipe.transform(X_tr), y_tr, **training)
    snaps = WeightSnapshots()
    snaps.record(0, net.parameters())
    for _ in range(epochs):
        trainer.run_epochs(1)
        snaps.record(trainer.epoch, net.parameters())
    snaps.record(trainer.epoch, net.parameters(), force=True)
    return dict(snapshots=snaps, net=net, pipeline=pipe, X=X_tr, y=y_tr, cost=trainer.history.cost,
                X_test=X_te, y_test=y_te, extent=float(np.ceil(np.abs(X).max() * 1.1 * 2) / 2))


@pytest.fixture(scope="module")
def lesson():
    """Ng's flower: 400 points, 4 tanh, sigmoid + cross-entropy, weights × 0.01, η = 1.2, 3000 epochs."""
    return _run("planar", [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", 3000, init="small_gaussian",
                learning_rate=1.2)


def _frames(gif: bytes) -> list[np.ndarray]:
    return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(Image.open(io.BytesIO(gif)))]


def test_default_lesson_gif(lesson):
    start = time.perf_counter()
    gif = boundary_gif(**lesson)
    seconds = time.perf_counter() - start
    frames = _frames(gif)
    assert 60 <= len(frames) <= 120
    assert len(gif) < 5_000_000
    assert seconds < 10, seconds                          # ~1.5 s here (2 shared cores)
    print(f"default lesson GIF: {len(frames)} frames, {len(gif) / 1e6:.2f} MB, {seconds:.2f} s")
    assert all(f.shape == frames[0].shape for f in frames)
    box = (slice(MARGIN, MARGIN + PLOT), slice(MARGIN, MARGIN + PLOT))
    # Every one of the first 30 frames differs from the one before (epoch label and curve).
    assert all(np.any(a != b) for a, b in zip(frames[:30], frames[1:31]))
    # The boundary itself moves early: the first third changes it more than the last third.
    n = len(frames) // 3
    early = np.abs(frames[n][box].astype(int) - frames[0][box]).mean()
    late = np.abs(frames[-1][box].astype(int) - frames[-n][box]).mean()
    assert early > 10 and early > 3 * late
    # The network the app trains is left as it was.
    np.testing.assert_array_equal(lesson["net"].parameters()[0], lesson["snapshots"].params[-1][0])


def test_colours_are_the_apps(lesson):
    """A corner of the last frame (no points there) has the colour the app's boundary gives it."""
    last = _frames(boundary_gif(**lesson))[-1]
    net, pipe, ext = lesson["net"], lesson["pipeline"], lesson["extent"]
    corners = np.array([[-ext, -ext], [ext, ext]])                      # bottom left, top right
    P = net.predict_proba(pipe.transform(corners))[:, 0]
    expected = surface_rgb(P.reshape(1, 2), "classification")[0].astype(int)
    got = np.array([last[MARGIN + PLOT - 2, MARGIN + 1], last[MARGIN + 1, MARGIN + PLOT - 2]])
    assert np.abs(got - expected).max() <= 16, (got, expected)
    assert np.ptp(expected, axis=1).min() > 40                         # coloured, not the grey of ½


def test_thins_to_max_frames_keeping_first_and_last(lesson):
    snaps = lesson["snapshots"]
    frames = _frames(boundary_gif(**dict(lesson, max_frames=61)))
    assert len(frames) == 61
    assert snaps.epochs[0] == 0 and snaps.epochs[-1] == 3000
    np.testing.assert_array_equal(frames[-1], _frames(boundary_gif(**lesson))[-1])


@pytest.mark.parametrize("case", ["classes", "regression"])
def test_k_classes_and_regression(case):
    if case == "classes":
        run = _run("multi_blobs", [(8, "tanh"), (3, "softmax")], "cross_entropy", 200, n_classes=3,
                   optimizer="adam", learning_rate=0.01, batch_size=32)
    else:
        run = _run("reg_plane", [(4, "tanh"), (1, "linear")], "mse", 200, standardize=True,
                   optimizer="adam", learning_rate=0.01, batch_size=64)
    gif = boundary_gif(**run)
    frames = _frames(gif)
    assert 60 <= len(frames) <= 120 and len(gif) < 5_000_000
    assert np.any(frames[0] != frames[-1])


def test_no_snapshots_is_refused(lesson):
    with pytest.raises(ValueError, match="no weight snapshots yet"):
        boundary_gif(**dict(lesson, snapshots=WeightSnapshots()))


def test_snapshots_of_another_network_are_refused(lesson):
    other = Network(2, [(5, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=0)
    with pytest.raises(ValueError, match="the snapshot of epoch 0 has weights of shapes"):
        boundary_gif(**dict(lesson, net=other))


def test_a_bounded_history_gives_its_epochs(lesson):
    """The app's history keeps some epochs only: cost[i] belongs to epochs[i]."""
    kept = np.unique(np.geomspace(1, 3000, 150).round().astype(int))
    cost = np.asarray(lesson["cost"])[kept - 1]
    gif = boundary_gif(**dict(lesson, cost=list(cost), epochs=list(kept)))
    frames = _frames(gif)
    full = _frames(boundary_gif(**lesson))
    assert len(frames) == len(full)
    box = (slice(MARGIN, MARGIN + PLOT), slice(MARGIN, MARGIN + PLOT))
    np.testing.assert_array_equal(frames[-1][box], full[-1][box])     # same boundary, same points
    with pytest.raises(ValueError, match="one entry each per recorded epoch"):
        boundary_gif(**dict(lesson, cost=list(cost), epochs=list(kept[:-1])))
