"""The settings table is the one source of truth: every setting round-trips through a link,
every malformed link value falls back to its default with a notice naming its key, and the
latent defects found while building it stay fixed."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core import OPTIMIZERS, Network, datasets, losses
from core.activations import ACTIVATIONS
from core.metrics import Scorer
from core.optimizers import make_optimizer
from explorer.choices.config import Config
from explorer.choices.link import from_query, to_query
from explorer.choices.own_points import start_from
from explorer.choices.parsers import BadValue, OutOfRange
from explorer.choices.settings_table import OWN_DATA, ROWS, SETTINGS

BAD_TEXTS = ["zzz", "-5", "1e999", "nan", "99999999999", "4:tanh,x", "x1,x1", "2", "0.5", "", "²", "²:tanh"]


def _with(cfg: Config, s, value) -> Config:
    group = replace(getattr(cfg, s.group), **{s.field: value})
    if s.key == "ds" and value in datasets.DATASETS and datasets.DATASETS[value].multiclass:
        group = replace(group, n_classes=datasets.DATASETS[value].n_classes)   # a K-class set names K
    return replace(cfg, **{s.group: group})


def _candidates(s):
    """Valid values of ``s`` other than its default, from its choices or its range."""
    if s.key == "layers":
        return [((8, "relu"), (3, "sigmoid")), ()]
    if s.key == "pts":
        rng = np.random.default_rng(0)
        return [start_from(rng.uniform(-3, 3, (30, 2)), rng.integers(0, 3, 30), "classification")]
    if s.key == "feat":
        return [("x1sq", "x2sq", "x1x2"), ("sinx1",)]
    if s.kind == "grid_axis":                               # a Compare grid's axis: a setting and its values
        return [("lr", (0.3, 1.2, 5.0)), ("act", ("relu", "tanh")), ("bs", (None, 8)), ("depth", (0, 1, 2))]
    if s.kind == "room_key":                                # a class's keys (explorer.rooms)
        return ["ABCDEFGH" if s.key == "join" else "new" if s.key == "class" else "x" * 22, "Z" * 43]
    if s.kind == "pins":                                    # pinned runs: setups and epochs (explorer.choices.pin_link)
        return [s.parse("e.120!ds.xor~layers.8:relu~lr.0.03~e.400")]
    if s.choices is not None:
        return [s.from_widget(c) for c in s.choices() if s.from_widget(c) != s.default]
    if s.kind in ("checkbox", "toggle"):
        return [not s.default]
    if s.key == "k":
        return [5]
    return [type(s.default)(s.hi), type(s.default)(s.lo)]


@pytest.mark.parametrize("s", [s for s in ROWS if s.in_url], ids=lambda s: s.key)
def test_every_setting_round_trips_through_a_link(s):
    base = Config()
    if s.key == "k":                                        # classes exist only for multiclass sets
        base = _with(base, SETTINGS["ds"], "multi_blobs")
    if s.key == "pts":                                      # points only count for own data
        base = _with(base, SETTINGS["ds"], OWN_DATA)
    kept = []
    for value in _candidates(s):
        cfg = _with(base, s, value)
        back, notices = from_query(to_query(cfg))
        if not notices:
            assert back == cfg, (s.key, value)
            assert getattr(getattr(back, s.group), s.field) == value
            kept.append(value)
    assert kept, f"no non-default value of {s.key} survived a link"


@pytest.mark.parametrize("s", [s for s in ROWS if s.in_url], ids=lambda s: s.key)
def test_every_malformed_value_falls_back_with_a_notice_naming_the_key(s):
    """Malformed text: the default. A well-formed number out of range: the nearest limit
    (``tests/test_setting_bounds.py`` walks every limit, per dataset, through the page)."""
    refused = 0
    for text in BAD_TEXTS:
        try:
            s.parse(text)
            continue                                        # a valid text for this setting
        except OutOfRange as err:
            cfg, notices = from_query({s.key: text})
            assert getattr(getattr(cfg, s.group), s.field) == s.fit(err.limit, cfg.data.dataset)
            assert len(notices) == 1 and f"`{s.key}=" in notices[0] and "Using " in notices[0]
            continue
        except BadValue:
            refused += 1
        cfg, notices = from_query({s.key: text})
        assert getattr(getattr(cfg, s.group), s.field) == s.default
        assert len(notices) == 1 and f"`{s.key}=" in notices[0] and "Using the default" in notices[0]
    assert refused, f"none of the malformed texts was refused by {s.key}"


def test_a_parser_message_reaches_the_notice_whatever_its_words():
    # Notices once kept a parser's message only if it contained the word "must".
    _, notices = from_query({"layers": "4:nosuch"})
    assert "width:activation" in notices[0] and "tanh" in notices[0]


def test_widget_keys_are_url_keys_and_unique():
    assert [s.key for s in ROWS] == list(SETTINGS)
    assert set(to_query(Config())) <= set(SETTINGS)


def test_softmax_fast_backward_applies_the_full_jacobian():
    sm = ACTIVATIONS["softmax"]
    z = np.array([[0.3, -1.2, 2.0]])
    a = sm.fn(z)
    dA = np.array([[1.0, 0.0, 0.0]])
    want = (sm.jacobian(a)[0].T @ dA[0])[None, :]             # Jacobian-vector product
    got = sm.backward(z, a, dA.copy(), out=np.empty_like(dA))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert np.count_nonzero(got) == 3                          # the diagonal-only form gave two zeros


def test_an_optimizer_constructor_error_is_not_called_unknown(monkeypatch):
    class Broken:
        label, tex = "broken", ""

        def __init__(self, params):
            raise TypeError("a bug inside the constructor")

    monkeypatch.setitem(OPTIMIZERS, "broken", Broken)
    with pytest.raises(TypeError, match="a bug inside the constructor"):
        make_optimizer("broken", [])
    with pytest.raises(ValueError, match="unknown optimizer 'nosuch'"):
        make_optimizer("nosuch", [])


@pytest.mark.parametrize("output,loss,T", [("sigmoid", "binary_cross_entropy", np.array([[1.0], [0.0]])),
                                           ("softmax", "cross_entropy", np.array([[1.0, 0.0], [0.0, 1.0]]))])
def test_scorer_clips_as_the_loss_does(monkeypatch, output, loss, T):
    net = Network(2, [(T.shape[1], output)], loss)
    a = np.where(T == 1, 0.0, 1.0)                             # saturated and wrong: the clip decides the cost
    monkeypatch.setattr(losses, "EPS", 1e-3)
    cost, _ = Scorer(net, T)(a.copy())
    assert Scorer(net, T).kind is not None                     # the fast path, not loss.fn itself
    assert cost == pytest.approx(net.loss.fn(a, T), rel=1e-12)
