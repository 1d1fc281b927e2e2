"""The instruments in a model file: the learning-rate schedule and where and why a run
stopped are written, read back exactly, checked field by field, and optional, so files
written before them still load."""
import json

import pytest

from core import Network
from core.model_file import dumps, load_model, model_from_dict, model_to_dict
from core.pipeline import InputPipeline
from core.schedules import Schedule
from core.stopping import StopRecord

SETTINGS = dict(optimizer="sgd", learning_rate=0.5, batch_size=None, l1=0.0, l2=0.0)


def _doc(**training):
    net = Network(2, [(3, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=1)
    return model_to_dict(net, InputPipeline(("x1", "x2")), {**SETTINGS, **training}, 12)


def test_a_schedule_round_trips_and_a_file_without_one_is_constant():
    sched = Schedule("cosine", period=40, floor=0.1, restarts=True, warmup=5)
    doc = _doc(schedule=sched)
    assert doc["training"]["schedule"] == sched.to_dict()
    back = load_model(json.dumps(doc))
    assert back.schedule == sched and load_model(back.dumps()).schedule == sched
    old = _doc()                                                  # no schedule key at all
    assert "schedule" not in old["training"] and model_from_dict(old).schedule == Schedule()


@pytest.mark.parametrize("value, message", [
    ({"name": "cosine", "period": 0}, "training.schedule: the schedule's period must be a whole number"),
    ({"name": "cosine", "eval": "x"}, "training.schedule has an unexpected field 'eval'"),
    ({"name": "__import__('os')"}, "training.schedule: unknown schedule"),
    ("cosine", "training.schedule must be an object"),
    ({"name": "step", "gamma": True}, "training.schedule: γ \\(gamma\\) must be a number"),
])
def test_a_bad_schedule_is_refused_naming_the_field(value, message):
    doc = _doc()
    doc["training"]["schedule"] = value
    with pytest.raises(ValueError, match=message):
        load_model(json.dumps(doc))


def test_the_model_file_text_stays_json():
    text = dumps(Network(2, [(1, "sigmoid")], "binary_cross_entropy", seed=0), InputPipeline(("x1", "x2")),
                 {**SETTINGS, "schedule": Schedule("step", period=3, gamma=0.1)}, 3)
    assert json.loads(text)["training"]["schedule"]["name"] == "step"


def test_where_and_why_a_run_stopped_round_trips_and_is_checked():
    net = Network(2, [(3, "tanh"), (1, "sigmoid")], "binary_cross_entropy", seed=1)
    rec = StopRecord(12, "Stopped after epoch 12: the epoch chosen to stop at.", 9, True)
    doc = model_to_dict(net, InputPipeline(("x1", "x2")), SETTINGS, 12, stopped=rec)
    assert load_model(json.dumps(doc)).stopped == rec and load_model(load_model(json.dumps(doc)).dumps()).stopped == rec
    assert model_from_dict(_doc()).stopped is None                # optional: older files have none
    doc["stopped"]["epoch"] = 13
    with pytest.raises(ValueError, match="stopped.epoch must be a whole number from 1 to the file's epoch 12"):
        load_model(json.dumps(doc))
