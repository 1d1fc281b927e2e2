"""The live run and early stopping: the validation share is carved from the training points
(the test points stay as they were), and a stop reaches the page as divergence does: the
run's ``message`` holds the one line, the session pauses and its status carries the line."""
from dataclasses import replace

from explorer.choices.config import Config
from explorer.live.channel.session import LiveSession
from explorer.training.run import Run, build_data


def _cfg(**train):
    cfg = Config()
    return replace(cfg, data=replace(cfg.data, val_ratio=0.25), train=replace(cfg.train, **train))


def test_the_validation_share_comes_from_the_training_points_only():
    cfg = _cfg()
    plain, carved = build_data(Config().data), build_data(cfg.data)
    assert len(carved.y_val) + len(carved.y_train) == len(plain.y_train)
    assert (carved.X_test == plain.X_test).all() and len(carved.y_val) == round(0.25 * len(plain.y_train))


def test_a_stop_reaches_the_status_as_divergence_does():
    run = Run(_cfg(stop_epoch=30, patience=5, restore_best=True), build_data(_cfg().data))
    s = LiveSession()
    s.run = run
    s.play()
    run.train_steps(10_000, float("inf"))
    assert run.epoch == 30 or run.message.startswith(f"Stopped after epoch {run.epoch}: the validation loss")
    assert run.message.startswith(f"Stopped after epoch {run.epoch}:") and "\n" not in run.message
    assert s.status()["message"] == run.message
    s.pause()                                             # what the scheduler does on a message
    s.play()
    assert not s.running                                  # it stays paused until a new rule or Reset
    run.apply_train(replace(run.cfg.train, stop_epoch=None, patience=None, restore_best=False))
    assert run.message is None
    stopped_at = run.epoch
    run.train_steps(5, float("inf"))
    assert run.epoch == stopped_at + 5 and run.message is None
    run.reset()
    assert run.epoch == 0 and run.stopped_by is None
