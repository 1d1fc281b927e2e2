"""The exported script's stop: where and why the app's run stopped by its rule
(``core.stopping.StopRecord``). The script trains the same number of epochs, says why the app
stopped there, and, when the app put back the best validation epoch's weights, keeps a copy of
them at that epoch and puts them back at the end (the validation rows are not needed: the
epoch is known). Examples are rows, as in the script.
"""
from __future__ import annotations

from .stopping import StopRecord


def check_stop(value, epochs: int) -> StopRecord | None:
    """A StopRecord, its dict (a model file's) or None; it must end at ``epochs``."""
    if value is None:
        return None
    rec = value if isinstance(value, StopRecord) else StopRecord.from_dict(value, epochs)
    if rec.epoch != epochs:
        raise ValueError(f"the run stopped after epoch {rec.epoch}; export {rec.epoch} epochs, not {epochs}")
    return rec


def stop_settings(rec: StopRecord) -> str:
    lines = [f"# The app's run stopped by itself here. {rec.reason}"]
    if rec.restored:
        lines.append(f"BEST_EPOCH = {rec.best_epoch}   # its weights are the ones the app kept")
    return "\n".join(lines)


def keep_best() -> str:
    """The loop's lines that copy the weights at the best epoch."""
    return ("    if epoch == BEST_EPOCH:\n"
            "        best = [theta.copy() for theta in Wb]   # the lowest validation loss: the app keeps these")


def restore_best(J: str) -> str:
    """Put the kept weights back and print their cost ``J`` (the script's expression for it)."""
    return ("for theta, kept in zip(Wb, best):\n"
            "    theta[...] = kept                            # as the app did when it stopped\n"
            f'print(f"restored epoch {{BEST_EPOCH:6d}}   cost {{{J}:.12f}}")')
