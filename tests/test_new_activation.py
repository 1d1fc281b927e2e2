"""Adding an activation is one registry entry: softsign, registered here in one place,
appears in the layer menus and in links, passes the gradient check and the fast
training step, and the step-by-step view shows its formula."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import Network, gradient_check
from core.fast_step import StepBuffers, augment, forward_into
from core.activations import ACTIVATIONS, Activation, register
from explorer.choices.link import from_query, to_query
from explorer.choices.settings_table import SETTINGS

APP = str(Path(__file__).resolve().parents[1] / "explorer" / "pages" / "main.py")   # the page script app.py serves

SOFTSIGN = Activation("softsign", lambda z, out=None: np.divide(z, 1.0 + np.abs(z), out=out),
                      lambda z, a, out=None: np.divide(1.0, (1.0 + np.abs(z)) ** 2, out=out),
                      label="softsign", symbol=r"\mathrm{softsign}", tex=r"\frac{z}{1+|z|}",
                      dtex=r"\frac{1}{(1+|z|)^2}", np_fn="z / (1 + np.abs(z))", np_df="1 / (1 + np.abs(z)) ** 2")


@pytest.fixture
def softsign():
    register(SOFTSIGN)                      # the one place
    yield SOFTSIGN
    ACTIVATIONS.pop("softsign")


def test_it_is_offered_and_travels_in_links(softsign):
    assert "softsign" in SETTINGS["layers"].choices()
    cfg, notices = from_query({"layers": "5:softsign,3:tanh"})
    assert not notices and cfg.net.hidden == ((5, "softsign"), (3, "tanh"))
    assert to_query(cfg)["layers"] == "5:softsign,3:tanh"


def test_its_gradients_pass_the_check_and_the_fast_step_agrees(softsign):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 3, 30)
    net = Network(2, [(4, "softsign"), (3, "softsign"), (3, "softmax")], "cross_entropy", seed=1)
    for check in gradient_check(net, X, y, max_entries=None):
        assert check.rel_error_W < 1e-7 and check.rel_error_b < 1e-7
    reference = net.gradients(X, y)
    buf = StepBuffers(net, len(X))
    X_aug = augment(X)
    forward_into(net, buf, X_aug)
    net.backward(buf.fwd, net.targets(y), out=buf.bwd)
    for (dW, db), dWb in zip(reference, buf.bwd.dWb):
        np.testing.assert_allclose(dWb[:, :-1], dW, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(dWb[:, -1], db, rtol=1e-10, atol=1e-14)


def test_the_app_builds_it_and_the_step_by_step_view_shows_its_formula(softsign):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"layers": "4:softsign", "page": "backprop"})
    at.run()
    assert not at.exception
    assert "softsign" in at.selectbox(key="layers_a0").options
    assert at.session_state["run"].net.layers[0].activation.name == "softsign"
    latex = " ".join(el.value for el in at.latex)
    assert softsign.tex in latex and r"\mathrm{softsign}" in latex
