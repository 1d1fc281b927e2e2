"""No link crashes the page: every setting's limits, walked from the settings table.

For each row: at, just inside and just past each limit, for every dataset that narrows
it (``Setting.narrow``), and for own data. Every case goes through the link reader
(``explorer.choices.link.from_query``) in-process; the page under AppTest then runs every
setting at its limits for each distinct narrowing, several settings per link (each
notice names its key, so a link holds one case per key). The rule checked: no
exception; the value the page shows is the one asked for, with no notice naming the
key, or it is not, and a notice names the key; a number moved is moved to the nearest
limit; malformed text falls back to the default.

Also: the shipped ``.streamlit/config.toml`` keeps tracebacks out of the browser and in
the server log.
"""
from __future__ import annotations

import base64
import contextlib
import logging
import tomllib
import traceback
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from core import datasets
from explorer.choices.config import Config, preset_for_dataset
from explorer.choices.own_points import MAX_LINK_POINTS, encode, start_from
from explorer.pages.chrome import FAILURE
from explorer.pages.lessons import LESSONS
from explorer.choices.link import from_query
from explorer.choices.parsers import BadValue, OutOfRange
from explorer.choices.settings_table import MAX_HIDDEN_LAYERS, OWN_DATA, ROWS, SETTINGS
from tests.browser import ROOT

NARROWED = [s for s in ROWS if s.narrow is not None]
UNSET = object()                         # a refused text: the page must show the default


# ---- the cases, from the table ----------------------------------------------------------
def _points(n: int) -> str:
    rng = np.random.default_rng(n)
    return encode(start_from(rng.uniform(-3, 3, (n, 2)), np.arange(n) % 3, "classification"))


def _points_past(n: int) -> str:
    """``n`` points in the link form when ``encode`` refuses them (0, or one over the limit):
    its 4-byte header, int16 x1, x2 pairs, then one uint8 class per point."""
    raw = base64.urlsafe_b64decode(_points(MAX_LINK_POINTS) + "==")
    head, xy, y = raw[:4], raw[4:4 + 4 * MAX_LINK_POINTS], raw[4 + 4 * MAX_LINK_POINTS:]
    xy, y = (xy + xy)[:4 * n], (y + y)[:n]
    return base64.urlsafe_b64encode(head + xy + y).decode().rstrip("=")


OWN_POINTS = _points(30)                 # own data for links whose case is another setting


def _num(s, v) -> str:
    return str(int(v)) if s.number.whole else f"{v:.10g}"


def _texts(s, dataset) -> list[str]:
    """At, just inside and just past each limit of ``s`` for ``dataset`` (None: the row's own)."""
    if s.number is not None:
        limits = s.bounds(dataset)
        words = [w for w, _ in s.number.words]
        if limits is None:                               # does not apply: a number, and the word for none
            return [_num(s, s.lo), _num(s, s.hi)] + words
        step = 1 if s.number.whole else s.step or (s.hi - s.lo) / 100
        ends = {limits, (s.lo, s.hi)}                    # the dataset's limits and the row's own
        values = sorted({v for lo, hi in ends for v in (lo - step, lo, lo + step, hi - step, hi, hi + step)})
        return [_num(s, v) for v in values] + words
    if s.kind == "canvas":                               # own points: 1 to MAX_LINK_POINTS in a link
        if dataset != OWN_DATA:
            return [OWN_POINTS]
        return [_points(1), _points(2), _points(MAX_LINK_POINTS - 1), _points(MAX_LINK_POINTS),
                _points_past(0), _points_past(MAX_LINK_POINTS + 1)]
    if s.kind == "layers":                               # widths lo..hi, up to MAX_HIDDEN_LAYERS layers
        acts = s.choices()
        widths = (s.lo - 1, s.lo, s.lo + 1, s.hi - 1, s.hi, s.hi + 1)
        return [f"{w}:{acts[i % len(acts)]}" for i, w in enumerate(widths)] + [
            "none", ",".join([f"{s.hi}:{acts[-1]}"] * MAX_HIDDEN_LAYERS),
            ",".join([f"{s.lo}:{acts[0]}"] * (MAX_HIDDEN_LAYERS + 1))]
    if s.kind == "grid_axis":                            # up to 7 values at each limit, one too many, odd ones
        w = SETTINGS["layers"].hi
        return ["units:1,2,3,4,5,6,7", f"units:{w}", f"units:{w + 1}", "units:0", "units:1,2,3,4,5,6,7,8",
                "lr:0.3,1.2,5", "lr:0", "lr:1,1", "depth:0,8", "depth:9", "act:nosuch", "nosuch:1", "units", ""]
    if s.kind == "multiselect":                          # all of them, one, one twice, none
        ids = [str(c) for c in s.choices()]
        return [",".join(ids), ids[0], ",".join(ids + ids[:1]), ""]
    if s.kind in ("checkbox", "toggle"):
        return ["0", "1", "2"]
    if s.kind == "pins":                                 # pinned runs: good ones, a malformed one among them, none good
        return ["e.120", "e.5!ds.xor~lr.0.03~e.40", "e.5!zz~e.3", "lr.99~e.4", "e.5!" * 7 + "e.5", "zz", ""]
    if s.kind == "room_key":                             # a class's keys: a key's form, a code's, and neither
        return ["new", "ABCD-EFGH", "abcdefgh", "ABCDEFG0", "x" * 22, "x" * 65, "a/b", ""]
    options = [o for o in s.choices() if s.fmt(s.from_widget(o)) is not None]
    return [s.fmt(s.from_widget(options[0])), s.fmt(s.from_widget(options[-1])), "nosuch"]


@dataclass(frozen=True)
class Case:
    key: str
    text: str
    dataset: str | None                  # the link's dataset (None: the link names none)

    def link(self) -> dict:
        q = {} if self.dataset is None else {"ds": self.dataset}
        if self.dataset == OWN_DATA and self.key != "pts":
            q["pts"] = OWN_POINTS
        return q | {self.key: self.text}


def cases(datasets_: list | None = None) -> list[Case]:
    """Every row's cases: per dataset (and own data) for a narrowed row, else once."""
    names = list(datasets.DATASETS) + [OWN_DATA] if datasets_ is None else datasets_
    out = []
    for s in ROWS:
        if not s.in_url:
            continue
        contexts = names if s.narrow is not None else [None]
        out += [Case(s.key, t, d) for d in contexts for t in _texts(s, d)]
    return out


def representatives() -> list[str]:
    """One dataset per distinct narrowing of the narrowed rows, and own data."""
    seen = {}
    for name in datasets.DATASETS:
        seen.setdefault(tuple(s.bounds(name) for s in NARROWED), name)
    return list(seen.values()) + [OWN_DATA]


# ---- the rule -----------------------------------------------------------------------------
def asked(s, text):
    """The value ``text`` asks for (a number out of range as read), or UNSET if refused."""
    try:
        return s.parse(text)
    except OutOfRange as err:
        return err.value
    except BadValue:
        return UNSET


def check(cfg: Config, notices: list[str], case_list: list[Case]) -> None:
    """The rule, for each case of one link whose result is ``cfg`` with ``notices``."""
    dataset = cfg.data.dataset
    for c in case_list:
        s = SETTINGS[c.key]
        want, shown = asked(s, c.text), getattr(getattr(cfg, s.group), s.field)
        named = [n for n in notices if f"`{c.key}=" in n]
        where = f"{c.key}={c.text[:30]!r} on {c.dataset}: shows {shown!r}, notices {named}"
        if want is UNSET:
            assert shown == s.default and len(named) == 1 and "Using the default" in named[0], where
        elif shown == want or (want is None and s.number is not None):   # k= : the set's own count
            assert not named, where
        else:
            assert len(named) == 1, where
            if s.number is not None and shown is not None:      # moved: to the nearest limit it may take
                lo, hi = s.bounds(dataset)
                assert shown == min(max(want, lo), hi) and f"Using {s.fmt(shown)}." in named[0], where
        if s.number is not None and shown is not None:           # whatever it is, the widget can show it
            lo, hi = s.bounds(dataset)
            assert lo <= shown <= hi, where


def test_every_case_through_the_link_reader():
    all_cases = cases()
    assert len(all_cases) > 300 and {c.key for c in all_cases} == {s.key for s in ROWS if s.in_url}
    for c in all_cases:
        cfg, notices = from_query(c.link())
        check(cfg, notices, [c])


def test_the_issues_links_open_with_a_notice():
    for link, key, shown in [({"noise": "1.5"}, "noise", 1.0), ({"noise": "3"}, "noise", 1.0),
                             ({"n": "10"}, "n", 50), ({"n": "49"}, "n", 50), ({"n": "2001"}, "n", 2000),
                             ({"n": "5000"}, "n", 2000), ({"ds": "multi_blobs", "k": "2"}, "k", 3)]:
        cfg, notices = from_query(link)
        s = SETTINGS[key]
        assert getattr(getattr(cfg, s.group), s.field) == shown
        assert len(notices) == 1 and notices[0].startswith(f"Changed `{key}={link[key]}` from the link")


# ---- one source of the limits ---------------------------------------------------------------
def test_limits_are_consistent_everywhere():
    for s in ROWS:
        if s.number is not None:
            assert s.fit(s.default) == s.default or s.default is None, s.key
            for o in (s.choices() if s.choices else ()):   # every option of a numeric menu lies in the limits
                if not isinstance(o, str):
                    assert s.lo <= o <= s.hi and not (s.number.lo_open and o <= s.lo), (s.key, o)
                    assert s.parse(s.fmt(o)) == o, (s.key, o)
        elif s.choices is not None and s.kind not in ("layers", "multiselect"):
            for o in s.choices():
                text = s.fmt(s.from_widget(o))
                assert text is None or s.parse(text) == s.from_widget(o), (s.key, o)
        for name, spec in datasets.DATASETS.items():       # a set narrows a row; it never widens or cuts it
            raw = s.narrow(spec) if s.narrow else None
            if raw is not None and s.number is not None:
                assert all(v is None or s.lo <= v <= s.hi for v in raw), (s.key, name, raw)


def test_dataset_presets_and_lessons_lie_within_the_limits():
    configs = [preset_for_dataset(name, Config()) for name in datasets.DATASETS]
    configs += [lesson.config for lesson in LESSONS.values()]
    for cfg in configs:
        for s in ROWS:
            value = getattr(getattr(cfg, s.group), s.field)
            if s.number is not None and value is not None:
                assert s.fit(value, cfg.data.dataset) == value, (cfg.data.dataset, s.key, value)


# ---- the page ---------------------------------------------------------------------------------
def links() -> list[tuple[dict, list[Case]]]:
    """The page's links: the cases of each representative dataset, one per key per link,
    with the dataset-free cases spread over them (a ``ds`` case only where no dataset is set)."""
    by_dataset = defaultdict(lambda: defaultdict(list))
    free = []
    for c in cases(representatives()):
        (by_dataset[c.dataset][c.key].append(c) if c.dataset is not None else free.append(c))
    packed = []                                   # (dataset, {key: case})
    for dataset, per_key in by_dataset.items():
        for i in range(max(len(v) for v in per_key.values())):
            packed.append((dataset, {k: v[i] for k, v in per_key.items() if i < len(v)}))
    for c in free:
        slot = next((p for p in packed if c.key not in p[1] and (c.key != "ds" or p[0] is None)), None)
        if slot is None:
            slot = (None, {})
            packed.append(slot)
        slot[1][c.key] = c
    out = []
    for dataset, chosen in packed:
        q = {} if dataset is None else {"ds": dataset}
        if dataset == OWN_DATA and "pts" not in chosen:
            q["pts"] = OWN_POINTS
        out.append((q | {k: c.text for k, c in chosen.items()}, list(chosen.values())))
    return out


PAGE_LINKS = links()


def test_the_page_runs_every_setting_at_its_limits():
    covered = {(c.key, c.dataset, c.text) for _, cs in PAGE_LINKS for c in cs}
    for s in ROWS:
        for d in (representatives() if s.narrow else [None]) if s.in_url else []:
            assert {(s.key, d, t) for t in _texts(s, d)} <= covered, (s.key, d)
    assert len(PAGE_LINKS) <= 30, len(PAGE_LINKS)          # runtime: about a second a link


@pytest.mark.parametrize("link,case_list", PAGE_LINKS, ids=[f"link{i}" for i in range(len(PAGE_LINKS))])
def test_a_link_at_the_limits_opens_the_page(link, case_list):
    cfg, notices = from_query(link)
    check(cfg, notices, case_list)
    at = AppTest.from_file(str(ROOT / "explorer" / "pages" / "main.py"), default_timeout=60)
    for k, v in link.items():
        at.query_params[k] = v
    at.session_state["live_fallback"] = True
    with _option("client.showErrorDetails", "full"):     # a failure here names its error
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if FAILURE in e.value]
    shown = [w.value for w in at.warning]
    assert all(n in shown for n in notices), (notices, shown)
    page_cfg = at.session_state["run"].cfg if cfg.data.dataset != OWN_DATA or cfg.data.points else None
    for c in case_list if page_cfg is not None else ():
        s = SETTINGS[c.key]
        if s.group != "view":                               # the run holds what the widgets hold
            want = getattr(getattr(cfg, s.group), s.field)
            if c.key == "pin":                              # (the page drops the pins its notice named)
                want = tuple(p for p in want if p.error is None)
            assert getattr(getattr(page_cfg, s.group), s.field) == want, c


# ---- no traceback in the browser --------------------------------------------------------------
@contextlib.contextmanager
def _option(key: str, value):
    old = st_config.get_option(key)
    st_config.set_option(key, value)
    try:
        yield
    finally:
        st_config.set_option(key, old)


def test_the_shipped_config_keeps_tracebacks_in_the_server_log(tmp_path):
    shipped = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    value = shipped["client"]["showErrorDetails"]
    assert value == "type"                      # type + a generic sentence; not the message, trace or paths
    script = tmp_path / "boom.py"
    script.write_text('raise ValueError("cannot open /srv/secret/settings.py")\n')
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    log = logging.getLogger("streamlit.error_util")     # where Streamlit logs an uncaught exception
    log.addHandler(handler)
    try:
        with _option("client.showErrorDetails", value), _option("logger.enableRich", False):
            at = AppTest.from_file(str(script))
            at.run()
    finally:
        log.removeHandler(handler)
    (shown,) = at.exception
    assert shown.stack_trace == [] and "/srv/secret" not in shown.message and str(tmp_path) not in shown.message
    assert shown.proto.type == "ValueError" and "recorded in the logs" in shown.message
    logged = "".join(line for r in records if r.exc_info for line in traceback.format_exception(*r.exc_info))
    assert "cannot open /srv/secret/settings.py" in logged and str(script) in logged
