"""core.user_data: a student's CSV is read, checked, and refused with a clear reason."""
import io

import numpy as np
import pytest

from core.user_data import MAX_ABS, load_csv

GOOD = "x1,x2,label\n0.5,1,0\n-2,3e-1,1\n4,5,1\n"


def test_classification_file():
    X, y, problem = load_csv(GOOD)
    np.testing.assert_array_equal(X, [[0.5, 1.0], [-2.0, 0.3], [4.0, 5.0]])
    assert y.tolist() == [0, 1, 1] and y.dtype == np.int64 and problem == "classification"
    assert X.shape == (3, 2) and X.dtype == np.float64


def test_regression_file():
    X, y, problem = load_csv("x1,x2,target\n1,2,0.25\n3,4,-7\n")
    assert problem == "regression" and y.dtype == np.float64
    np.testing.assert_array_equal(y, [0.25, -7.0])


def test_labels_are_remapped_to_0_to_k_minus_1_in_sorted_order():
    _, y, _ = load_csv("x1,x2,label\n0,0,1\n0,0,-1\n0,0,7\n0,0,1.0\n0,0,-1\n")
    assert y.tolist() == [1, 0, 2, 1, 0]


def test_header_order_case_spaces_bom_blank_lines_and_other_delimiters():
    text = "\ufeff Label ; X2 ;x1\n\n1;2;3\n  \n0;5;6\n"
    X, y, _ = load_csv(text.encode("utf-8"))
    np.testing.assert_array_equal(X, [[3, 2], [6, 5]])
    assert y.tolist() == [1, 0]
    X2, _, _ = load_csv("x1\tx2\tlabel\n1\t2\t0\n3\t4\t1\n")
    np.testing.assert_array_equal(X2, [[1, 2], [3, 4]])


def test_sources_path_bytes_text_and_file_objects(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(GOOD)
    expected = load_csv(GOOD)
    for source in (path, GOOD.encode(), io.BytesIO(GOOD.encode()), io.StringIO(GOOD)):
        X, y, problem = load_csv(source)
        np.testing.assert_array_equal(X, expected[0])
        np.testing.assert_array_equal(y, expected[1])


@pytest.mark.parametrize("text,match", [
    ("", r"the file is empty"),
    ("\n  \n", r"the file is empty"),
    ("x1,x2,label\n", r"the file has a header but no data rows"),
    ("x1,x2\n1,2\n", r"missing column\(s\): label \(or target\) — the header must be exactly"),
    ("x1,label\n1,2\n", r"missing column\(s\): x2 — "),
    ("a,b,c\n1,2,3\n", r"missing column\(s\): x1, x2, label \(or target\); unexpected "
                       r"column\(s\): a, b, c"),
    ("x1,x2,label,colour\n1,2,0,red\n", r"unexpected column\(s\): colour — "),
    ("x1,x2,label,target\n", r"has both 'label' and 'target'; keep 'label' for classes"),
    ("x1,x1,label\n", r"column 'x1' appears more than once in the header"),
    ("x1,x2,label,\n1,2,0,\n", r"column 4 of the header has no name"),
    ("x1,x2,label\n1,2,0\n3,4\n", r"row 3 has 2 values but the header has 3 columns"),
    ("x1,x2,label\n1,2,0\n3,4,1,9\n", r"row 3 has 4 values but the header has 3 columns"),
    ("x1,x2,label\n1,2,0\n\n3,abc,1\n", r"row 4, column x2: 'abc' is not a number"),
    ("x1,x2,label\n1,2,0\n1,2,1\n=1+1,2,1\n", r"row 4, column x1: '=1\+1' is not a number"),
    ("x1,x2,label\n1,2,0\n1_000,2,1\n", r"row 3, column x1: '1_000' is not a number"),
    ("x1,x2,label\n1,,0\n", r"row 2, column x2: the value is empty"),
    ("x1,x2,label\n1,2,0\n1,NaN,1\n", r"row 3, column x2: 'NaN' is not a finite number"),
    ("x1,x2,target\n1,2,inf\n", r"row 2, column target: 'inf' is not a finite number"),
    ("x1,x2,label\n1,2,-Infinity\n", r"row 2, column label: '-Infinity' is not a finite number"),
    ("x1,x2,label\n1e7,2,0\n", r"row 2, column x1: 1e7 is too large; keep values within ±1e\+06"),
    ("x1,x2,label\n1,2,0\n1,2,0.5\n",
     r"row 3, column label: 0.5 is not a whole number; .* name the column 'target'"),
    ("x1,x2,label\n1,2,cat\n", r"row 2, column label: 'cat' is not a number"),
    ("x1,x2,label\n1,2,3\n4,5,3\n",
     r"every row has label 3; a classifier needs at least two different labels"),
    ("x1,x2,label\n1,2\x00,3\n", r"row 2, column x2: '2\\x00' is not a number"),
    ("x1,x2,label\n1,2,0\n" + "9" * 200_000 + ",1,1\n",
     r"row 3: the file could not be read as CSV \(field larger than field limit"),
])
def test_malformed_files_are_refused_with_the_row_or_column(text, match):
    with pytest.raises(ValueError, match=match):
        load_csv(text)


def test_row_numbers_count_the_header_and_blank_lines_as_the_file_shows_them():
    text = "\n\nx1,x2,label\n1,2,0\n\n\n1,oops,1\n"
    with pytest.raises(ValueError, match=r"row 7, column x2: 'oops'"):
        load_csv(text)


def test_too_many_rows():
    text = "x1,x2,label\n" + "1,2,0\n3,4,1\n" * 3
    assert load_csv(text, max_rows=6)[0].shape == (6, 2)
    with pytest.raises(ValueError, match=r"the file has more than 5 data rows; keep at most 5"):
        load_csv(text, max_rows=5)


def test_too_many_bytes():
    with pytest.raises(ValueError, match=r"the file is larger than 20 bytes"):
        load_csv(GOOD, max_bytes=20)
    with pytest.raises(ValueError, match=r"larger than 20 bytes"):
        load_csv(io.BytesIO(GOOD.encode() * 1000), max_bytes=20)


def test_too_many_classes():
    text = "x1,x2,label\n" + "".join(f"0,0,{k}\n" for k in range(11))
    with pytest.raises(ValueError, match=r"the label column has 11 different classes; "
                                         r"at most 10 are supported"):
        load_csv(text)
    assert load_csv(text, max_classes=11)[1].max() == 10


def test_not_utf8_and_not_a_file():
    with pytest.raises(ValueError, match=r"not plain text in UTF-8 \(bad byte at position 12\)"):
        load_csv(b"x1,x2,label\n\xff,1,0\n")
    with pytest.raises(ValueError, match=r"cannot read a CSV from a int"):
        load_csv(42)


def test_nothing_is_evaluated():
    with pytest.raises(ValueError, match=r"row 2, column x1: '__import__\(\"os\"\)' is not a"):
        load_csv('x1,x2,label\n__import__("os"),1,0\n')


def test_limits_are_inclusive():
    edge = f"x1,x2,label\n{MAX_ABS:g},-{MAX_ABS:g},0\n0,0,1\n"
    X, _, _ = load_csv(edge)
    assert X[0].tolist() == [MAX_ABS, -MAX_ABS]


def test_a_split_column_is_checked_and_load_csv_still_returns_three_values():
    X, y, problem = load_csv("x1,x2,label,split\n0.5,1,0,train\n-2,3e-1,1,test\n4,5,1,train\n")
    np.testing.assert_array_equal(X, load_csv(GOOD)[0])
    assert y.tolist() == [0, 1, 1] and problem == "classification"
