"""A class's task through the pages (AppTest): the teacher sends it from their setup; a
student gets its setup with the locked settings disabled, and every path that would change
a locked setting (a lesson, a link, a layer past the unit limit) is put back with a sentence;
the epoch limit reaches the run; a newer task waits as a notice until taken."""
from __future__ import annotations

from explorer.rooms.server import STORE
from explorer.rooms.task import Task
from explorer.choices.config import Config, DataConfig, NetConfig
from tests.test_app import start
from tests.test_class_pages import kept_seat, texts

TASK = Task.from_config(Config(DataConfig(dataset="xor", noise=0.3, seed=7), NetConfig(hidden=((2, "tanh"),))),
                        free=["lr", "layers"], max_units=3, max_epochs=300)


def student(task: Task | None = TASK, **link):
    new = STORE.create(task.to_dict() if task else None)
    seat = STORE.join(new.code, "Ada")
    return new, kept_seat(new.code, seat.secret, link)           # as their browser opens the join link


def warnings(at) -> str:
    return "\n".join(w.value for w in at.warning)


def test_the_teacher_sends_a_task_from_their_setup():
    at = start({"class": "new", "ds": "circle", "noise": "0.1"})
    token = at.query_params["class"]
    at.multiselect(key="class_task_free").set_value(["lr"])
    at.number_input(key="class_task_epochs").set_value(500)
    at.button(key="class_task_push").click().run()
    assert not at.exception
    view = STORE.teacher(token)
    task = Task.from_dict(view.task)
    assert view.task_version == 1 and task.free == ("lr",) and task.max_epochs == 500
    assert task.config().data.dataset == "circle" and task.config().data.noise == 0.1
    assert "Task 1:" in texts(at) and "Circle" in texts(at)


def test_a_student_gets_the_tasks_setup_with_the_locked_settings_disabled():
    _, at = student()
    assert at.selectbox(key="ds").value == "xor" and at.slider(key="noise").value == 0.3
    assert at.selectbox(key="ds").disabled and at.slider(key="noise").disabled
    assert not at.select_slider(key="lr").disabled and not at.select_slider(key="speed").disabled
    assert "**Task:** Exclusive or" in texts(at) and at.session_state["run"].epoch_limit == 300


def test_a_lesson_cannot_change_a_locked_setting():
    _, at = student()
    at.button(key="bp_lesson_sidebar_flower").click().run()
    assert at.selectbox(key="ds").value == "xor" and "Dataset is locked by the task" in warnings(at)
    at.run()
    assert at.selectbox(key="ds").value == "xor"                  # and it stays put on the next run


def test_a_link_edit_cannot_change_a_locked_setting():
    _, at = student(ds="circle", noise="0.05", lr="0.3")          # a reload of an edited link
    assert at.selectbox(key="ds").value == "xor" and "Dataset is locked by the task" in warnings(at)
    assert at.select_slider(key="lr").value == 0.3                 # free: the link's value stays


def test_the_hidden_unit_limit_puts_back_a_layer_too_many():
    _, at = student()
    at.button[[b.label for b in at.button].index("Add hidden layer")].click().run()
    assert at.session_state["layers_n"] == 1 and "at most 3 hidden units" in warnings(at)


def test_a_newer_task_waits_as_a_notice_until_the_student_takes_it():
    new, at = student()
    STORE.push_task(new.teacher_token, Task.from_config(Config(DataConfig(dataset="circle"))).to_dict())
    at.run()
    assert at.selectbox(key="ds").value == "xor" and "Your teacher set a new task" in texts(at)
    at.button(key="class_take_task").click().run()
    assert at.selectbox(key="ds").value == "circle" and at.session_state["run"].epoch_limit is None
    assert "set a new task" not in texts(at)


def test_a_student_without_a_task_has_nothing_locked():
    _, at = student(None)
    assert not at.selectbox(key="ds").disabled and "Task:" not in texts(at)


def test_drawing_cannot_replace_the_tasks_points():
    _, at = student()
    at.button(key="draw_clear_btn").click().run()                 # Clear: your own (empty) plane, as a click would
    assert at.selectbox(key="ds").value == "xor" and "Dataset is locked by the task" in warnings(at)
    assert at.session_state["run"].cfg.data.dataset == "xor"
