"""The fallback's controls come back through the component value, and a rerun may carry the page's
earlier value (streamlit#218): ``fallback_feed.apply_value`` applies each request once, and never
one older than a request of the same iframe it applied (a replayed Play must not undo a Pause)."""
from __future__ import annotations

import threading
import uuid

import streamlit as st

from explorer.pages import fallback_feed


class Verbs:
    """The session's verbs, recorded."""

    def __init__(self):
        self.done: list[str] = []

    def play(self):
        self.done.append("play")

    def pause(self, notice=None):
        self.done.append("pause")

    def touch(self):
        pass


class Run:
    lock = threading.Lock()


def test_a_replayed_older_request_does_not_undo_a_later_one():
    slot = "order-" + uuid.uuid4().hex            # (bare mode: one session state for the process)
    live, run = Verbs(), Run()

    def apply(kind, iframe, n, **more):
        return fallback_feed.apply_value(live, run, {"control": {"type": kind}, "id": iframe, "n": n, **more}, slot)
    try:
        assert apply("play", "a", 1) == "play"
        assert apply("pause", "a", 2) == "pause"
        assert apply("play", "a", 1, again=1) is None      # the earlier value, carried by a later rerun
        assert apply("pause", "a", 2, again=1) is None     # sent again: applied once
        assert apply("play", "b", 1) == "play"             # a new iframe (a reload) numbers from 1
        assert live.done == ["play", "pause", "play"]
    finally:
        st.session_state.pop(slot + "_stamp", None)
