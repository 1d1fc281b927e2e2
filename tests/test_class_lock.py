"""The teacher's lock on the task through the pages (AppTest): once locked, every setting a task
sets stays as the student had it, the free ones too (a change is put back with a sentence and
the widgets are drawn disabled), with or without a task, while the pace stays free and the run
goes on; a new task can still be taken and the lock then holds it; unlocked, the task's own
freedoms come back."""
from __future__ import annotations

from explorer.pages.class_task import FROZEN
from explorer.rooms.server import STORE
from explorer.rooms.task import TASK_KEYS, Task, freeze
from explorer.choices.config import Config, DataConfig, NetConfig
from tests.test_app import start
from tests.test_class_task import TASK, student, warnings
from tests.test_class_pages import texts


def test_freeze_puts_back_every_setting_a_task_sets_and_nothing_else():
    at_lock = Config(DataConfig(dataset="xor", noise=0.3), NetConfig(hidden=((2, "tanh"),)))
    changed = Config(DataConfig(dataset="circle", noise=0.3), NetConfig(hidden=((3, "relu"),)))
    out, notes = freeze(changed, at_lock)
    assert out.data.dataset == "xor" and out.net.hidden == ((2, "tanh"),) and len(notes) == 2
    assert all(n.startswith("Your teacher locked the task:") for n in notes)
    assert freeze(at_lock, at_lock) == (at_lock, [])
    assert "speed" not in TASK_KEYS                               # the pace is never locked


def test_a_locked_task_holds_the_free_settings_too_and_unlocking_frees_them_again():
    new, at = student()                                           # the task leaves lr and layers free
    at.select_slider(key="lr").set_value(0.3).run()
    assert at.select_slider(key="lr").value == 0.3 and not at.select_slider(key="lr").disabled
    run = at.session_state["run"]
    STORE.control(new.teacher_token, locked=True)
    at.select_slider(key="lr").set_value(1.0).run()              # the lock reaches the page with this run
    assert at.select_slider(key="lr").value == 0.3
    assert "Your teacher locked the task: Learning rate η stays 0.3." in warnings(at)
    assert at.select_slider(key="lr").disabled and at.selectbox(key="ds").disabled
    assert not at.select_slider(key="speed").disabled               # the pace stays the student's
    assert at.session_state["run"] is run                         # their network goes on as it was
    assert "Locked by your teacher" in texts(at) and "You may change" not in texts(at)
    at.run()
    assert at.select_slider(key="lr").value == 0.3 and not warnings(at)
    STORE.control(new.teacher_token, locked=False)
    at.run()
    assert not at.select_slider(key="lr").disabled and at.selectbox(key="ds").disabled
    at.select_slider(key="lr").set_value(1.0).run()
    assert at.select_slider(key="lr").value == 1.0 and FROZEN not in at.session_state


def test_a_lock_without_a_task_holds_the_students_own_setup():
    new, at = student(None)
    at.selectbox(key="ds").select("circle").run()
    assert at.selectbox(key="ds").value == "circle"
    STORE.control(new.teacher_token, locked=True)
    at.selectbox(key="ds").select("xor").run()
    assert at.selectbox(key="ds").value == "circle" and "Your teacher locked the task: Dataset stays" in warnings(at)
    assert at.selectbox(key="ds").disabled and "Locked by your teacher" in texts(at)


def test_a_lesson_cannot_change_a_locked_task():
    free = Task.from_config(TASK.config(), free=["lr", "layers"])          # no unit limit: only the lock acts
    new, at = student(free)
    layers, lr = at.session_state["run"].cfg.net.hidden, at.select_slider(key="lr").value
    STORE.control(new.teacher_token, locked=True)
    at.run()
    at.button(key="bp_lesson_sidebar_flower").click().run()
    assert at.selectbox(key="ds").value == "xor" and at.select_slider(key="lr").value == lr
    assert at.session_state["run"].cfg.net.hidden == layers
    assert "Your teacher locked the task: Hidden layers stays 2:tanh." in warnings(at)


def test_a_new_task_can_still_be_taken_and_the_lock_then_holds_it():
    new, at = student()
    STORE.control(new.teacher_token, locked=True)
    at.run()
    STORE.push_task(new.teacher_token, TASK.from_config(Config(DataConfig(dataset="circle")), free=["lr"]).to_dict())
    at.run()
    at.button(key="class_take_task").click().run()
    assert at.selectbox(key="ds").value == "circle"
    lr = at.select_slider(key="lr").value
    assert at.select_slider(key="lr").disabled                     # the lock holds the new task, free lr too
    at.session_state["lr"] = 1.0 if lr != 1.0 else 0.3           # as a link edit or any other path would
    at.run()
    assert at.select_slider(key="lr").value == lr and "Your teacher locked the task" in warnings(at)


def test_the_teacher_locks_and_unlocks_from_their_page():
    at = start({"class": "new"})
    token = at.query_params["class"]
    at.button(key="class_lock").click().run()
    assert STORE.teacher(token).controls.locked and at.button(key="class_lock").label == "Unlock the task"
    at.button(key="class_lock").click().run()
    assert not STORE.teacher(token).controls.locked and at.button(key="class_lock").label == "Lock the task"
    at.button(key="class_pause_all").click().run()
    assert STORE.teacher(token).controls.paused and at.button(key="class_pause_all").label == "Let everyone go on"
    at.button(key="class_pause_all").click().run()
    assert not STORE.teacher(token).controls.paused and not at.exception
