"""Bad input gets a ValueError a student can act on; a diverging run stops with advice and
finite weights."""
import math
import re

import numpy as np
import pytest

from core import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, Network, Trainer, TrainingDiverged, train

X = np.random.default_rng(0).normal(size=(20, 2))
y = (X[:, 0] > 0).astype(int)


def tanh_net(**kw):
    return Network(2, [(4, "tanh"), (1, "sigmoid")], "binary_cross_entropy", **kw)


# --- unknown names list the valid ones ---------------------------------------------------

def valid(names):
    """The message's list of valid names, as a regex: every registered name, in order."""
    return re.escape(", ".join(names))


def test_unknown_activation_lists_the_valid_ones():
    assert {"sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"} <= set(ACTIVATIONS)
    with pytest.raises(ValueError, match=rf"unknown activation 'sigmod'; choose one of {valid(ACTIVATIONS)}$"):
        Network(2, [(4, "sigmod"), (1, "sigmoid")])


def test_unknown_loss_lists_the_valid_ones():
    assert {"mse", "binary_cross_entropy", "cross_entropy"} <= set(LOSSES)
    with pytest.raises(ValueError, match=rf"unknown loss 'crossentropy'; choose one of {valid(LOSSES)}$"):
        Network(2, [(1, "sigmoid")], "crossentropy")


def test_unknown_optimizer_lists_the_valid_ones():
    assert {"sgd", "momentum", "adam"} <= set(OPTIMIZERS)
    with pytest.raises(ValueError, match=rf"unknown optimizer 'rmsprop'; choose one of {valid(OPTIMIZERS)}$"):
        train(tanh_net(), X, y, optimizer="rmsprop")
    trainer = Trainer(tanh_net(), X, y)
    with pytest.raises(ValueError, match=rf"unknown optimizer 'Adam'; choose one of {valid(OPTIMIZERS)}$"):
        trainer.optimizer = "Adam"
    assert trainer.optimizer == "sgd"                     # the old one is kept


def test_unknown_initialiser_lists_the_valid_ones():
    assert {"xavier", "he", "small_gaussian", "uniform"} <= set(INITIALIZERS)
    with pytest.raises(ValueError, match=rf"unknown initialiser 'glorot'; choose one of {valid(INITIALIZERS)}$"):
        tanh_net(init="glorot")


# --- sizes and rates ---------------------------------------------------------------------

@pytest.mark.parametrize("width", [0, -3])
def test_layer_width_must_be_positive(width):
    with pytest.raises(ValueError, match=rf"layer 1 must have at least one unit, got width {width}"):
        Network(2, [(width, "tanh"), (1, "sigmoid")])
    with pytest.raises(ValueError, match=rf"layer 2 must have at least one unit, got width {width}"):
        Network(2, [(3, "tanh"), (width, "sigmoid")])


def test_layer_must_be_a_pair():
    with pytest.raises(ValueError, match=r"layer 1 must be a pair \(width, activation\), got 4"):
        Network(2, [4, (1, "sigmoid")])


def test_network_needs_layers():
    with pytest.raises(ValueError, match=r"needs at least an output layer"):
        Network(2, [])


@pytest.mark.parametrize("n_inputs", [0, -1, 2.5])
def test_n_inputs_must_be_positive(n_inputs):
    with pytest.raises(ValueError, match=r"the network needs at least one input, got n_inputs="):
        Network(n_inputs, [(1, "sigmoid")])


@pytest.mark.parametrize("eta", [0, -0.1, float("nan"), float("inf"), "fast", None])
def test_learning_rate_must_be_a_positive_number(eta):
    with pytest.raises(ValueError, match=r"learning rate must be a positive number, got"):
        train(tanh_net(), X, y, learning_rate=eta)
    trainer = Trainer(tanh_net(), X, y, learning_rate=0.1)
    with pytest.raises(ValueError, match=r"learning rate must be a positive number"):
        trainer.learning_rate = eta
    assert trainer.learning_rate == 0.1


def test_numpy_numbers_are_accepted_as_rates():
    trainer = Trainer(tanh_net(), X, y, learning_rate=np.float32(0.5), l2=np.float64(0.01), batch_size=np.int64(5))
    trainer.learning_rate = np.int64(1)
    trainer.run_epochs(1)
    assert trainer.learning_rate == 1.0 and trainer.batch_size == 5


@pytest.mark.parametrize("size", [0, -5, 2.5, True])
def test_batch_size_must_be_a_whole_positive_number(size):
    with pytest.raises(ValueError, match=r"batch size must be a whole number ≥ 1 \(or None for the full batch\)"):
        train(tanh_net(), X, y, batch_size=size)


@pytest.mark.parametrize("name", ["l1", "l2"])
@pytest.mark.parametrize("rate", [-0.01, float("nan")])
def test_penalty_rates_must_not_be_negative(name, rate):
    with pytest.raises(ValueError, match=rf"{name.upper()} rate must be a number ≥ 0, got"):
        train(tanh_net(), X, y, **{name: rate})


def test_epochs_must_be_a_whole_number():
    with pytest.raises(ValueError, match=r"epochs must be a whole number ≥ 0, got -1"):
        train(tanh_net(), X, y, epochs=-1)


# --- data that does not fit the network -----------------------------------------------------

def test_X_of_the_wrong_width():
    net = tanh_net()
    msg = r"X must have shape \(N, 2\), one column per input; got \(20, 3\)"
    with pytest.raises(ValueError, match=msg):
        net.predict_proba(np.ones((20, 3)))
    with pytest.raises(ValueError, match=msg):
        train(net, np.ones((20, 3)), y)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\).*got \(2,\)"):
        net.cost(np.ones(2), [1])


def test_X_and_y_of_different_lengths():
    with pytest.raises(ValueError, match=r"X has 20 rows but y has 19; give one target per example"):
        train(tanh_net(), X, y[:-1])
    with pytest.raises(ValueError, match=r"X has 20 rows but y has 1"):
        tanh_net().cost(X, y[:1])
    with pytest.raises(ValueError, match=r"X has 20 rows but y has 3"):
        tanh_net().gradients(X, y[:3])


def test_non_finite_data_is_refused():
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN or infinite values"):
        train(tanh_net(), bad, y)
    with pytest.raises(ValueError, match=r"the targets contain NaN or infinite values"):
        train(Network(2, [(3, "tanh"), (1, "linear")], "mse"), X, np.where(y, np.inf, 0.0))


def test_label_2_for_one_sigmoid_unit():
    labels = y.copy()
    labels[4] = 2
    msg = (r"a sigmoid output predicts values between 0 and 1, but a target is 2; "
           r"use labels 0 and 1, or a softmax output with one unit per class")
    with pytest.raises(ValueError, match=msg):
        train(tanh_net(), X, labels)
    with pytest.raises(ValueError, match=msg):                 # the same labels as an (N, 1) column
        train(tanh_net(), X, labels[:, None])


def test_three_classes_for_a_two_unit_softmax():
    net = Network(2, [(4, "relu"), (2, "softmax")], "cross_entropy")
    with pytest.raises(ValueError, match=r"the labels name 3 classes \(0..2\) but the output layer has 2 "
                                         r"units; give the output layer 3 units"):
        train(net, X, np.arange(20) % 3)


def test_non_integer_labels_for_a_softmax():
    net = Network(2, [(4, "relu"), (3, "softmax")], "cross_entropy")
    with pytest.raises(ValueError, match=r"an output of 3 units needs integer class labels 0..2"):
        train(net, X, np.linspace(0, 2, 20))


def test_targets_of_the_wrong_shape():
    net = Network(2, [(4, "relu"), (3, "softmax")], "cross_entropy")
    with pytest.raises(ValueError, match=r"targets of shape \(20, 2\) do not fit an output layer of 3 unit\(s\)"):
        train(net, X, np.zeros((20, 2)))


# --- combinations refused when the network is built ---------------------------------------------

def test_softmax_in_a_hidden_layer():
    with pytest.raises(ValueError, match=r"softmax can only be the output layer's activation \(layer 1 is "
                                         r"hidden\); use one of sigmoid, tanh, relu, leaky_relu, linear"):
        Network(2, [(4, "softmax"), (3, "softmax")], "cross_entropy")


def test_softmax_with_one_unit():
    with pytest.raises(ValueError, match=r"a softmax output needs at least 2 units \(one per class\); "
                                         r"one unit would always output 1"):
        Network(2, [(4, "tanh"), (1, "softmax")], "mse")


def test_bce_with_a_softmax_output():
    with pytest.raises(ValueError, match=r"the binary_cross_entropy loss needs a sigmoid output layer, not "
                                         r"softmax; change the output activation or use mse"):
        Network(2, [(4, "tanh"), (2, "softmax")], "binary_cross_entropy")


def test_cross_entropy_with_a_sigmoid_output():
    with pytest.raises(ValueError, match=r"the cross_entropy loss needs a softmax output layer, not sigmoid"):
        Network(2, [(4, "tanh"), (1, "sigmoid")], "cross_entropy")


# --- divergence ----------------------------------------------------------------------------------
# numpy warns about the overflows on the way; the exception is what the learner sees.
divergence = pytest.mark.filterwarnings("ignore::RuntimeWarning")

REG_X = np.random.default_rng(1).normal(size=(50, 2))
REG_Y = REG_X @ np.array([10.0, 20.0])


def all_finite(net):
    return all(np.all(np.isfinite(p)) for p in net.parameters())


@divergence
@pytest.mark.parametrize("batch_size", [None, 5])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_divergence_stops_with_advice_and_finite_weights(batch_size, optimizer):
    net = Network(2, [(8, "tanh"), (1, "linear")], "mse", seed=0)
    trainer = Trainer(net, REG_X, REG_Y, optimizer=optimizer, learning_rate=1e3, batch_size=batch_size)
    with pytest.raises(TrainingDiverged, match=r"Training diverged in epoch \d+: .*The weights are back to .*"
                                               r"Try a smaller learning rate \(now 1000\)") as err:
        trainer.run_epochs(100)
    assert f"in epoch {trainer.epoch + 1}:" in str(err.value)
    assert all_finite(net)
    h = trainer.history
    assert len(h.cost) == trainer.epoch and all(math.isfinite(c) for c in h.cost)
    # The network is the one the last history entry describes.
    if h.cost:
        assert net.cost(REG_X, REG_Y) == pytest.approx(h.cost[-1], rel=1e-12)


@divergence
@pytest.mark.parametrize("eta", [1e100, 1e200, 1e306, 1e308])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("batch_size", [None, 5])
def test_any_overflow_leaves_finite_weights(eta, optimizer, batch_size):
    """Even a step so large that W itself overflows to inf must not leave inf in the network."""
    net = Network(2, [(8, "tanh"), (1, "linear")], "mse", seed=0)
    trainer = Trainer(net, REG_X, REG_Y, optimizer=optimizer, learning_rate=eta, batch_size=batch_size)
    try:
        trainer.run_epochs(50)
        diverged = False
    except TrainingDiverged as err:
        assert "smaller learning rate" in str(err)
        diverged = True
    # adam's steps are about η in size whatever the gradient: 1e100 makes weights of 1e100,
    # still finite; sgd and momentum multiply the gradient and must blow up.
    assert diverged or (optimizer == "adam" and eta < 1e200)
    assert all_finite(net)
    if trainer.history.cost:
        assert net.cost(REG_X, REG_Y) == pytest.approx(trainer.history.cost[-1], rel=1e-12)


@divergence
def test_a_saturated_infinite_weight_is_caught():
    """inf in a tanh layer can hide behind tanh(±inf) = ±1 (finite cost, zero gradient);
    the run must still stop rather than carry an infinite weight."""
    net = Network(2, [(3, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=0)
    trainer = Trainer(net, X, y, learning_rate=0.1)
    trainer.run_epochs(2)
    net.layers[0].W[0, 0] = np.inf
    with pytest.raises(TrainingDiverged, match=r"infinite or NaN"):
        trainer.run_epochs(3)
    assert all_finite(net)


@divergence
def test_training_can_continue_after_divergence_with_a_smaller_rate():
    net = Network(2, [(8, "tanh"), (1, "linear")], "mse", seed=0)
    trainer = Trainer(net, REG_X, REG_Y, learning_rate=1e3, optimizer="momentum")
    with pytest.raises(TrainingDiverged):
        trainer.run_epochs(100)
    n = len(trainer.history.cost)
    trainer.learning_rate = 1e-3
    trainer.run_epochs(5)
    assert len(trainer.history.cost) == n + 5 and all_finite(net)
    assert all(math.isfinite(c) for c in trainer.history.cost)
