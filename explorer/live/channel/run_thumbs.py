"""A student's gallery ``Thumb`` made from their run as the run store keeps it (issue 18: one run store).

When the projector's gallery builds its picture of a class, and when the teacher downloads the
results, each student's state is read from the one run store (``RunStore.load_keys``, by the key
their seat learned from their page: ``RoomStore.set_run``), not from a copy kept by the feed.
``thumb_of`` makes the Thumb ``room_seats`` would publish from the live run:

- weights: every layer's Wb = [W | b] (S_l, S_{l-1} + 1), flattened row by row and concatenated
  in layer order, as float16 (``grid_wire.thumbnail_weights``), the live wire's layout;
- ``sizes`` [S_0, ..., S_L] from the Wb shapes; ``activations`` from the setup link (hidden
  layers as the link names them, the output as ``Config.resolve_output`` gives it);
- epoch, playing or not and the message as the checkpoint holds them; score, test score and
  loss from the live history's last row (NaN when there is none, test NaN without a test set);
- ``setup``: the checkpoint's link (data, network and training settings only);
- ``data``: ``data_key`` of the link and the points' digest, the name under which the student's
  page publishes the data set to the feed (the same from the live run and from its checkpoint).

A checkpoint is read as untrusted (``run_checkpoint_json.from_dict`` checks every field); one
that does not read, or whose link does not give its network's shape, makes no Thumb.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

import numpy as np

from explorer.choices.config import problem_of
from explorer.choices.link import from_query
from explorer.choices.settings_table import SETTINGS
from explorer.live.channel.feed_interface import Thumb
from explorer.live.channel.grid_wire import thumbnail_weights
from explorer.live.channel.guard import log_limited
from explorer.training.run_checkpoint_json import from_dict
from explorer.training.run_store_base import RunStore, RunStoreError

_NAN = float("nan")


def data_key(link: str, digest: str) -> str:
    """The feed's name of a run's data set: its points' digest (``run_checkpoint.data_digest``)
    and the link's data settings (features, standardising: what the drawn entry also depends on)."""
    data = urlencode([(k, v) for k, v in parse_qsl(link, keep_blank_values=True)
                      if k in SETTINGS and SETTINGS[k].group == "data"])
    return hashlib.blake2b(f"{digest}?{data}".encode(), digest_size=9).hexdigest()


@lru_cache(maxsize=256)
def activations_of(link: str, metric: str, units: int) -> tuple[str, ...] | None:
    """Each layer's activation for a run of setup ``link`` whose history's metric is ``metric``
    ("accuracy" or "r2") and whose output layer has ``units`` units; None if the link cannot
    give them (an output that does not fit)."""
    cfg, _ = from_query(parse_qsl(link, keep_blank_values=True))
    if metric == "r2":
        problems = [("regression", None)]
    else:                 # the link's data, or (own points a link does not carry) as many classes as the output says
        problems = [problem_of(cfg.data), ("classification", max(2, units))]
    for problem, n_classes in problems:
        try:
            out_units, out, _ = cfg.resolve_output(problem, n_classes)
        except ValueError:
            continue
        if out_units == units:
            return tuple(str(a) for _, a in cfg.net.hidden) + (out,)
    return None


def thumb_of(student_id: str, checkpoint: dict) -> Thumb | None:
    """The gallery's Thumb of the run ``checkpoint`` (a stored checkpoint's JSON values), or None
    if it does not read (see the module docstring)."""
    try:
        ck = from_dict(checkpoint)
    except ValueError as err:
        log_limited("run-thumb", "gallery: a kept run does not read; its student shows when they publish", err)
        return None
    params = ck.trainer.params
    sizes = (int(params[0].shape[1]) - 1,) + tuple(int(Wb.shape[0]) for Wb in params)
    acts = activations_of(ck.link, ck.history.metric, sizes[-1])
    if acts is None or len(acts) != len(params):
        return None
    weights = np.concatenate([Wb.ravel() for Wb in params])
    rows = ck.history.rows
    last = rows[-1] if len(rows) else np.full(5, _NAN)
    return Thumb(student_id, int(ck.epoch), bool(ck.running), sizes, acts, data_key(ck.link, ck.data),
                 thumbnail_weights(weights), float(last[2]), float(last[4]) if ck.history.has_test else _NAN,
                 float(last[1]), int(weights.size), ck.link, ck.message)


def class_thumbs(runs: RunStore, seats) -> dict[str, Thumb]:
    """student_id -> Thumb of each of ``seats`` (``store.Seat``: those with a ``run_key``) whose
    run the store keeps; {} if the store does not answer (logged)."""
    by_key = {s.run_key: s.student_id for s in seats if s.run_key}
    if not by_key:
        return {}
    try:
        docs = runs.load_keys(list(by_key))
    except (RunStoreError, ValueError) as err:
        log_limited("run-thumbs", "gallery: the run store does not answer; students show when they publish", err)
        return {}
    thumbs = {}
    for key, doc in docs.items():
        t = thumb_of(by_key[key], doc)
        if t is not None:
            thumbs[t.student_id] = t
    return thumbs
