"""The server's stop, as the live channel sees it: ``st.App``'s lifespan (``app.py``).

At a stop (SIGTERM: a rolling update, ``docker compose down``, Ctrl-C) Streamlit first closes every
socket (code 1012, "service restart"); the scheduler then pauses each run whose socket closed and
takes its checkpoint at once. This waits, at most ``run_keeper.DRAIN_S``, until those checkpoints are
written to the run store, so the process does not end with them in memory: each learner's page,
reconnecting through the balancer, resumes on another replica where it left off ("nothing was lost",
``tests/test_rollout.py``), not at the last periodic checkpoint up to ~5 s older.
"""
from __future__ import annotations

import asyncio
import contextlib

from explorer.live.channel.guard import log
from explorer.live.channel.run_keeper import DRAIN_S, KEEPER


@contextlib.asynccontextmanager
async def lifespan(app):
    """Nothing at the start; at the stop, the kept runs' last checkpoints written (off the event loop)."""
    yield
    if not await asyncio.to_thread(KEEPER.drain, DRAIN_S):
        log.warning("stopping: the last checkpoints were not all written within %g s; those learners "
                    "resume from their previous one", DRAIN_S)
