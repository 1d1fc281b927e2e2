"""The run store's contract, run against every backend (the in-process store and a real
redis-server), and the checkpoint it keeps: a run saved, read back and restored into a new Run
trains on bit for bit as the run that never stopped."""
from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import replace

import numpy as np
import pytest

from explorer.choices.config import Config, DataConfig, NetConfig, TrainConfig
from explorer.training import run_checkpoint as rc
from explorer.training.run_checkpoint_json import from_dict, to_dict
from explorer.training.run import Run, build_data
from explorer.training.run_store import OffRunStore, store_for
from explorer.training.run_store_base import RunStoreError, TooLarge, key_of
from explorer.training.run_store_memory import MemoryRunStore
from explorer.training.run_store_redis import RedisRunStore
from tests.redis_server import redis_server


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture(params=["memory", "redis"])
def make_store(request):
    """A factory of fresh stores of one backend: make_store(ttl_s=..., max_entries=..., max_bytes=...)."""
    if request.param == "memory":
        yield lambda **kw: MemoryRunStore(**kw)
        return
    url = request.getfixturevalue("redis_url")
    made = []

    def make(**kw):
        store = RedisRunStore(url, prefix=f"t{len(made)}-{secrets.token_hex(4)}:", **kw)
        made.append(store)
        return store
    yield make
    for store in made:
        store.client.flushdb()
        store.client.close()


def secret() -> str:
    return secrets.token_urlsafe(32)


def doc(n: int = 3) -> dict:
    return {"format": "x", "epoch": n, "weights": [0.1 * i for i in range(n)], "nested": {"a": [1, 2, {"b": None}]}}


def wait_until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# ---- the contract --------------------------------------------------------------------------------
def test_a_saved_checkpoint_loads_back_equal_and_is_a_copy(make_store):
    store, s, d = make_store(), secret(), doc()
    assert store.load(s) is None
    size = store.save(s, d)
    assert size == len(json.dumps(d, separators=(",", ":")))
    d["epoch"] = 99                                   # the store kept its own copy
    back = store.load(s)
    assert back == doc() and back is not d
    back["epoch"] = 7
    assert store.load(s) == doc()
    assert len(store) == 1


def test_a_later_save_replaces_the_earlier_and_secrets_do_not_mix(make_store):
    store, a, b = make_store(), secret(), secret()
    store.save(a, doc(1))
    store.save(b, doc(2))
    store.save(a, doc(3))
    assert store.load(a) == doc(3) and store.load(b) == doc(2) and len(store) == 2


def test_forget(make_store):
    store, a, b = make_store(), secret(), secret()
    store.save(a, doc(1))
    store.save(b, doc(2))
    store.forget(a)
    store.forget(secret())                            # nothing kept under it: nothing happens
    assert store.load(a) is None and store.load(b) == doc(2) and len(store) == 1


def test_a_class_reads_its_students_runs_by_their_keys_never_by_their_secrets(make_store):
    """``load_keys``: what the gallery and the results read (a seat holds ``key_of`` the secret)."""
    store, a, b, c = make_store(), secret(), secret(), secret()
    store.save(a, doc(1))
    store.save(b, doc(2))
    assert store.load_keys([]) == {}
    got = store.load_keys([key_of(a), key_of(c), key_of(b), key_of(a)])
    assert got == {key_of(a): doc(1), key_of(b): doc(2)}          # c has none: left out
    got[key_of(a)]["epoch"] = 99                                   # a copy
    assert store.load(a) == doc(1)
    assert store.load_keys([a, "A" * 32, "x", None, 5, key_of(b)]) == {key_of(b): doc(2)}   # never by a secret
    store.forget(b)
    assert store.load_keys([key_of(b)]) == {}


def test_a_checkpoint_goes_after_its_ttl(make_store, request):
    if "memory" in request.node.name:
        clock = Clock()
        store = MemoryRunStore(ttl_s=10, clock=clock)
        s = secret()
        store.save(s, doc())
        clock.t += 9.9
        assert store.load(s) == doc()
        store.save(s, doc(4))                         # a save starts its TTL again
        clock.t += 9.9
        assert store.load(s) == doc(4)
        clock.t += 0.2
        assert store.load(s) is None and len(store) == 0
    else:
        store, s = make_store(ttl_s=0.3), secret()
        store.save(s, doc())
        assert store.load(s) == doc()
        assert wait_until(lambda: store.load(s) is None)     # Redis expires it (PX)
        assert store.client.pttl(store._run + key_of(s)) == -2


def test_at_most_max_entries_the_least_recently_saved_go_first(make_store):
    store = make_store(max_entries=3)
    keys = [secret() for _ in range(5)]
    for i, s in enumerate(keys[:3]):
        store.save(s, doc(i))
    store.save(keys[0], doc(10))                      # saved again: now the most recent
    store.save(keys[3], doc(3))
    store.save(keys[4], doc(4))
    assert [store.load(s) is not None for s in keys] == [True, False, False, True, True]
    assert len(store) == 3


def test_a_checkpoint_over_the_size_bound_is_refused_and_the_old_one_stays(make_store):
    store, s = make_store(max_bytes=200), secret()
    store.save(s, doc(3))
    with pytest.raises(TooLarge, match="984 bytes; at most 200 are kept"):
        store.save(s, doc(100))
    assert store.load(s) == doc(3)


@pytest.mark.parametrize("bad", ["", "short", "x" * 42, "x" * 44, "a" * 42 + "!", None, 12, "é" * 43])
def test_a_malformed_secret_is_refused(make_store, bad):
    store = make_store()
    for call in (lambda: store.save(bad, doc()), lambda: store.load(bad), lambda: store.forget(bad)):
        with pytest.raises(ValueError, match="43 characters"):
            call()


def test_not_json_values_are_refused(make_store):
    store = make_store()
    with pytest.raises(ValueError):
        store.save(secret(), {"w": float("nan")})
    with pytest.raises(ValueError):
        store.save(secret(), [1, 2])


def test_the_store_never_holds_the_secret_itself(make_store, request):
    store, s = make_store(), secret()
    store.save(s, doc())
    if isinstance(store, MemoryRunStore):
        held = list(store._entries)
    else:
        held = [k.decode() for k in store.client.keys("*")]
    assert held and not any(s in k for k in held)
    assert any(key_of(s) in k for k in held)


# ---- the backend's choice and failures ------------------------------------------------------------------
def test_the_backend_is_chosen_by_redis_url(redis_url):
    assert isinstance(store_for(""), MemoryRunStore) and isinstance(store_for(None), MemoryRunStore)
    shared = store_for(redis_url)
    assert isinstance(shared, RedisRunStore)
    off = store_for("http://not-redis.example")
    assert isinstance(off, OffRunStore)
    with pytest.raises(RunStoreError, match="REDIS_URL is not a Redis address"):
        off.save(secret(), doc())
    with pytest.raises(RunStoreError, match="REDIS_URL is not a Redis address"):
        off.load_keys([key_of(secret())])


def test_a_redis_that_is_down_raises_run_store_error_within_its_timeout():
    with redis_server() as url:
        store = RedisRunStore(url)
        s = secret()
        store.save(s, doc())
    t0 = time.monotonic()
    with pytest.raises(RunStoreError, match="Redis could not"):
        store.load(s)
    assert time.monotonic() - t0 < 5


def test_two_stores_on_one_redis_share_the_runs(redis_url):
    one, two, s = RedisRunStore(redis_url, prefix="share:"), RedisRunStore(redis_url, prefix="share:"), secret()
    one.save(s, doc(5))
    assert two.load(s) == doc(5)        # another replica reads what this one saved
    two.forget(s)
    assert one.load(s) is None


# ---- checkpoints: bit for bit ---------------------------------------------------------------------
SETUPS = {
    "default lesson (full batch, sgd)": Config(),
    "3x16 relu, adam, batches of 10, L2, test share": Config(
        data=DataConfig(dataset="moons", n_samples=300, noise=0.2, test_ratio=0.25),
        net=NetConfig(hidden=((16, "relu"), (16, "relu"), (16, "relu"))),
        train=TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=10, l2=0.001)),
    "momentum, batches of 32, a schedule": Config(
        train=TrainConfig(optimizer="momentum", learning_rate=0.1, batch_size=32, schedule="cosine")),
}


def run_of(cfg: Config) -> Run:
    return Run(cfg, build_data(cfg.data))


def updates(run: Run, n: int) -> None:
    assert run.train_steps(n, time.perf_counter() + 60) == n


def same(a: Run, b: Run) -> None:
    assert a.epoch == b.epoch and a.trainer._pos == b.trainer._pos
    for p, q in zip(a.net.parameters(), b.net.parameters()):
        assert np.array_equal(p, q)                    # bit for bit
    ha, hb = a.trainer.history, b.trainer.history
    assert ha.epochs == hb.epochs and ha.per_octave == hb.per_octave
    assert np.array_equal(np.array(ha.rows()), np.array(hb.rows()), equal_nan=True)


@pytest.mark.parametrize("name", SETUPS)
def test_a_resumed_run_trains_on_bit_for_bit_as_the_run_that_never_stopped(name):
    cfg = SETUPS[name]
    a = run_of(cfg)
    updates(a, 163)                                    # (mid-epoch with mini-batches)
    text = json.dumps(to_dict(rc.capture(a, True)), allow_nan=False)   # as a store keeps it
    b = run_of(cfg)
    ck = from_dict(json.loads(text))
    assert rc.fits(ck, b) is None
    rc.restore(b, ck)
    same(a, b)
    updates(a, 700)                                    # past the history's first coarsening
    updates(b, 700)
    same(a, b)
    if cfg.train.batch_size:
        assert a.trainer._pos > 0 or a.trainer.epoch > 0


def test_a_checkpoint_fits_only_its_own_setup():
    a = run_of(Config())
    updates(a, 20)
    ck = rc.capture(a, False)
    assert rc.fits(ck, run_of(Config())) is None
    other = run_of(replace(Config(), train=replace(Config().train, learning_rate=0.5)))
    assert rc.fits(ck, other) == "it was taken with another setup"
    ck.link = rc.setup_link(other.cfg)
    ck.data = "0" * 32
    assert rc.fits(ck, other) == "it was taken on other points"


def test_a_run_from_a_model_file_is_not_kept():
    class Start:                       # what NetConfig.start holds: weights to copy in
        def copy_into(self, net):
            pass
    cfg = replace(Config(), net=replace(Config().net, start=Start()))
    assert rc.capture(run_of(cfg), False) is None


def _tamper(path: str, value):
    a = run_of(SETUPS["3x16 relu, adam, batches of 10, L2, test share"])
    updates(a, 50)
    d = json.loads(json.dumps(to_dict(rc.capture(a, True))))
    *parents, last = path.split(".")
    node = d
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    node[int(last) if last.isdigit() else last] = value(node[int(last) if last.isdigit() else last])
    return d


def _nan_first(text: str) -> str:
    a = np.frombuffer(base64.b64decode(text), "<f8").copy()
    a[0] = np.nan
    return base64.b64encode(a.tobytes()).decode()


@pytest.mark.parametrize("path, value, error", [
    ("format", lambda v: "backprop-explorer-model", "not a run checkpoint"),
    ("version", lambda v: 2, "version must be 1"),
    ("epoch", lambda v: -1, "epoch must be a whole number"),
    ("trainer.params.0.f8", lambda v: v[:-4], r"trainer.params\[0\].f8 must be base64"),
    ("trainer.params.0.shape", lambda v: [v[0], v[1], 1], r"trainer.params\[0\].shape"),
    ("trainer.params.1.f8", lambda v: _nan_first(v), "not finite"),
    ("trainer.optimizer", lambda v: "rmsprop", "unknown optimizer"),
    ("trainer.rng.state.inc", lambda v: -1, "trainer.rng.state.inc"),
    ("trainer.counters", lambda v: {"t": "many"}, "trainer.counters.t"),
    ("history.rows.shape", lambda v: [v[0], v[1] + 1], "history.rows"),
    ("message", lambda v: "x" * 5000, "message must be text"),
    ("link", lambda v: 12, "link must be text"),
    ("running", lambda v: "yes", "running must be true or false"),
    ("trainer.stopped", lambda v: {"epoch": 1}, "trainer.stopped"),
])
def test_a_malformed_checkpoint_is_refused_with_the_field_named(path, value, error):
    with pytest.raises(ValueError, match=error):
        from_dict(_tamper(path, value))


def test_a_checkpoint_for_another_network_shape_does_not_fit():
    a = run_of(Config())
    updates(a, 10)
    ck = rc.capture(a, False)
    wide = run_of(replace(Config(), net=replace(Config().net, hidden=((5, "tanh"),))))
    ck.link = rc.setup_link(wide.cfg)
    assert "shapes" in rc.fits(ck, wide)

