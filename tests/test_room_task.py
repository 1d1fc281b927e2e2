"""A class's task: made from the teacher's setup, checked field by field from its stored
form, and enforced on a student's settings whatever path changed them."""
from __future__ import annotations

from dataclasses import replace

import pytest

from explorer.choices.config import Config, DataConfig, NetConfig, StartWeights
from explorer.rooms.task import GOALS, TASK_KEYS, Task
from core import Network

TEACHER = Config(DataConfig(dataset="xor", noise=0.3, seed=7), NetConfig(hidden=((3, "tanh"),)))


def test_a_task_round_trips_through_its_stored_form_and_reads_back_the_teachers_setup():
    task = Task.from_config(TEACHER, free=["lr", "layers"], max_units=8, max_epochs=2000, goal="fewest_weights")
    again = Task.from_dict(task.to_dict())
    assert again == task and again.config().data == TEACHER.data and again.config().net == TEACHER.net
    assert set(task.locked) == set(TASK_KEYS) - {"lr", "layers"}
    text = task.to_dict()["text"]
    assert "Exclusive or" in text and "noise 0.3" in text and "Learning rate" in text and "8 hidden units" in text
    assert "2,000 epochs" in text and GOALS["fewest_weights"] in text


@pytest.mark.parametrize("change, says", [
    ({"setup": {"ds": "nosuch"}}, "read back exactly"),
    ({"setup": {"page": "compare"}}, "cannot set page"),
    ({"setup": ["ds"]}, "map setting keys"),
    ({"free": ["ds", "class"]}, "unknown settings class"),
    ({"free": "lr"}, "list of setting keys"),
    ({"max_units": 0}, "from 1 to 400"),
    ({"max_units": True}, "hidden-unit limit"),
    ({"max_epochs": 10 ** 7}, "epoch limit"),
    ({"max_units": 2}, "3 hidden units, over its limit of 2"),
    ({"goal": "__import__('os')"}, "goal must be one of"),
])
def test_every_bad_field_of_a_stored_task_is_refused_by_name(change, says):
    d = {**Task.from_config(TEACHER).to_dict(), **change}
    with pytest.raises(ValueError, match=says):
        Task.from_dict(d)


def test_locked_settings_go_back_with_a_sentence_and_free_ones_stay():
    task = Task.from_config(TEACHER, free=["lr"])
    student = task.config()
    moved = replace(student, data=replace(student.data, dataset="circle", noise=0.0),
                    train=replace(student.train, learning_rate=0.3, speed="max"))
    out, notes = task.enforce(moved)
    assert out.data == TEACHER.data and out.train.learning_rate == 0.3 and out.train.speed == "max"
    assert any("Dataset is locked" in n for n in notes) and any("Noise is locked" in n for n in notes)
    assert task.enforce(out) == (out, [])                     # nothing more to put back


def test_the_hidden_unit_limit_keeps_the_last_network_within_it():
    task = Task.from_config(TEACHER, free=["layers"], max_units=8)
    ok = replace(TEACHER, net=replace(TEACHER.net, hidden=((4, "tanh"), (4, "relu"))))
    too_big = replace(ok, net=replace(ok.net, hidden=((4, "tanh"), (5, "relu"))))
    out, notes = task.enforce(too_big, previous=ok)
    assert out.net.hidden == ok.net.hidden and "at most 8 hidden units" in notes[0] and "has 9" in notes[0]
    out, _ = task.enforce(too_big)                              # no earlier network: the task's own
    assert out.net.hidden == TEACHER.net.hidden


def test_a_model_files_weights_are_refused_while_the_network_is_locked():
    task = Task.from_config(TEACHER, free=["lr"])
    net = Network(2, [(3, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=1)
    cfg = replace(task.config(), net=replace(task.config().net, start=StartWeights.of(net, 50)))
    out, notes = task.enforce(cfg)
    assert out.net.start is None and "model file" in notes[0]
