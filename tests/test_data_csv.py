"""Data out: to_csv writes the points with their split, and the same file goes back in unchanged."""
import io

import numpy as np
import pytest

from core import datasets
from core.features import train_test_split
from core.user_data import MAX_ABS, PROBLEMS, Y_COLUMNS, load_csv, read_points, to_csv


def _split(name, test_ratio=0.3, **kw):
    X, y = datasets.make(name, seed=3, **kw)
    classify = datasets.DATASETS[name].problem == "classification"
    return (*train_test_split(X, y, test_ratio, seed=5, stratify=classify),
            datasets.DATASETS[name].problem)


@pytest.mark.parametrize("name", list(datasets.DATASETS))
def test_every_dataset_round_trips_exactly_with_its_split(name):
    X_tr, X_te, y_tr, y_te, problem = _split(name)
    text = to_csv(X_tr, y_tr, X_te, y_te, problem)
    assert text.splitlines()[0] == f"x1,x2,{Y_COLUMNS[problem]},split"
    pts = read_points(text)
    assert pts.problem == problem
    assert pts.is_test.dtype == bool and pts.is_test.tolist() == [False] * len(X_tr) + [True] * len(X_te)
    # bit for bit: the same floats, the same labels, in the same order
    assert np.array_equal(pts.X[~pts.is_test], X_tr) and np.array_equal(pts.X[pts.is_test], X_te)
    assert np.array_equal(pts.y[~pts.is_test], y_tr) and np.array_equal(pts.y[pts.is_test], y_te)
    assert pts.y.dtype == y_tr.dtype
    # the older reader takes the very same file and ignores the split
    X, y, p = load_csv(text)
    assert p == problem and np.array_equal(X, np.concatenate([X_tr, X_te]))
    assert np.array_equal(y, np.concatenate([y_tr, y_te]))


def test_awkward_floats_round_trip_bit_for_bit():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(50, 2)) * 10.0 ** rng.integers(-12, 6, size=(50, 1)),
                        [[0.1, 1 / 3], [-0.0, 5e-324], [MAX_ABS, -MAX_ABS], [2.0 ** -40, np.pi]]])
    t = rng.normal(size=len(X)) * 1e-9 + 1 / 7
    text = to_csv(X[:30], t[:30], X[30:], t[30:], "regression")
    pts = read_points(text)
    assert pts.problem == "regression"
    assert np.array_equal(pts.X, X) and np.array_equal(pts.y, t)
    assert np.array_equal(np.signbit(pts.X), np.signbit(X))     # even −0.0 stays −0.0


def test_written_file_reads_back_from_a_path_bytes_and_an_upload(tmp_path):
    X_tr, X_te, y_tr, y_te, problem = _split("xor")
    text = to_csv(X_tr, y_tr, X_te, y_te, problem)
    path = tmp_path / "points.csv"
    path.write_text(text, encoding="utf-8")
    expected = read_points(text)
    for source in (path, text.encode(), io.BytesIO(text.encode())):
        got = read_points(source)
        assert all(np.array_equal(a, b) for a, b in zip(got, expected))


def test_an_empty_test_set_writes_only_train_rows():
    X_tr, _, y_tr, _, problem = _split("circle", test_ratio=0)
    for empty_X, empty_y in (([], []), (np.zeros((0, 2)), np.zeros(0, dtype=np.int64))):
        pts = read_points(to_csv(X_tr, y_tr, empty_X, empty_y, problem))
        assert not pts.is_test.any() and np.array_equal(pts.X, X_tr)


def test_multiclass_labels_are_written_as_whole_numbers():
    X_tr, X_te, y_tr, y_te, problem = _split("multi_blobs", n_classes=4)
    text = to_csv(X_tr, y_tr, X_te, y_te, problem)
    labels = {line.split(",")[2] for line in text.splitlines()[1:]}
    assert labels == {"0", "1", "2", "3"}


def test_no_split_column_gives_is_test_none():
    assert read_points("x1,x2,label\n0,0,0\n1,1,1\n").is_test is None
    assert set(Y_COLUMNS) == set(PROBLEMS)


def test_split_values_any_case_and_column_order():
    pts = read_points("split,label,x2,x1\n TEST ,1,2,3\nTrain,0,5,6\ntest,0,1,1\n")
    assert pts.is_test.tolist() == [True, False, True]
    assert np.array_equal(pts.X, [[3, 2], [6, 5], [1, 1]])


@pytest.mark.parametrize("text,match", [
    ("x1,x2,label,split\n1,2,0,train\n3,4,1,validation\n",
     r"row 3, column split: 'validation' is not a split; write train or test"),
    ("x1,x2,label,split\n1,2,0,train\n3,4,1,\n", r"row 3, column split: the value is empty; write train or test"),
    ("x1,x2,label,split\n1,2,0,train\n3,4,1,1\n", r"row 3, column split: '1' is not a split"),
    ("x1,x2,label,split\n1,2,0,test\n3,4,1,test\n",
     r"the split column marks every row test; mark at least one row train"),
    ("x1,x2,label,split,split\n1,2,0,train,train\n", r"column 'split' appears more than once"),
    ("x1,x2,label,split\n1,2,0\n", r"row 2 has 3 values but the header has 4 columns"),
    ("x1,x2,split\n1,2,train\n", r"missing column\(s\): label \(or target\) — .* optionally followed by split"),
])
def test_bad_split_values_name_the_row(text, match):
    with pytest.raises(ValueError, match=match):
        read_points(text)
    with pytest.raises(ValueError, match=match):    # the old reader checks the column too
        load_csv(text)


@pytest.mark.parametrize("args,match", [
    (([[0, 0]], [0], [], [], "clustering"), r"unknown problem 'clustering'; choose one of classification, regression"),
    (([[0, 0]], [0.5], [], [], "classification"), r"y_train holds labels that are not whole numbers"),
    (([[0, np.nan]], [0], [], [], "classification"), r"the train points contain NaN or infinite values"),
    (([[0, 0]], [0], [[1, 1]], [np.inf], "regression"), r"the test points contain NaN or infinite"),
    (([[0, 2e6]], [0], [], [], "regression"), r"beyond ±1e\+06, which the reader refuses"),
    (([[0, 0, 0]], [0], [], [], "regression"), r"X_train must be \(N, 2\) and y_train \(N,\), got \(1, 3\)"),
    (([[0, 0]], [0, 1], [], [], "classification"), r"X_train must be \(N, 2\) and y_train \(N,\), got \(1, 2\) and \(2,\)"),
])
def test_to_csv_refuses_what_could_not_be_read_back(args, match):
    with pytest.raises(ValueError, match=match):
        to_csv(*args)
