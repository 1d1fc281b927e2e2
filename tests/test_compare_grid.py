"""The Compare view's grid: its link (default, malformed, oversized), its cells' setups, its
numbers (Ng's accuracies; a cell opened in the Live view replays it), its badges and table.
The live side (verbs, the cap, frames, the scheduler) is tests/test_compare_channel.py."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.grid import MAX_AXIS_VALUES, MAX_SEEDS
from explorer.choices.config import Config
from explorer.choices.grid_spec import cell_link, grid_cells
from explorer.choices.link import from_query, to_query
from explorer.choices.settings_table import SETTINGS
from explorer.training.grid_badges import BADGES, CONVERGED, DIVERGED, LEARNING, STALLED, WINDOW_MIN, badges
from explorer.training.grid_metrics import grid_rows, metric_names
from explorer.training.grid_run import MAX_GRID_BYTES, GridRun
from explorer.training.run import Run, build_data
from tests.browser import ROOT

NG_WIDTHS = (1, 2, 3, 4, 5, 20, 50)
HIS = {1: 67.5, 2: 67.25, 3: 90.75, 4: 90.5, 5: 91.25}


def grid_of(query: dict, end: int | None = None) -> GridRun:
    cfg, _ = from_query(query)
    shape, cells = grid_cells(cfg)
    return GridRun(shape, cells, build_data, end or cfg.grid.epochs)


# ---- the link -------------------------------------------------------------------------------------
def test_no_link_opens_ngs_grid():
    cfg, notices = from_query({})
    shape, cells = grid_cells(cfg)
    assert notices == [] and to_query(cfg).keys().isdisjoint({"ga", "gb", "gk", "gep", "gl", "gbase"})
    assert [c.cfg.net.hidden for c in cells] == [((w, "tanh"),) for w in NG_WIDTHS]
    assert {(c.cfg.net.init, c.cfg.net.seed, c.cfg.data.test_ratio, c.cfg.train.learning_rate, c.cfg.data.dataset,
             c.cfg.data.n_samples) for c in cells} == {("ng", 2, 0.0, 1.2, "planar", 400)}
    assert cfg.grid.epochs == 5000 and shape.seeds == 1 and shape.col_names[-1] == "50 units"


def test_a_grid_round_trips_through_its_link():
    q = {"page": "compare", "ga": "lr:0.3,1.2,5", "gb": "units:1,2,3,4,5,20,50", "gk": "3", "gep": "800",
         "gbase": "sidebar", "gl": "1"}
    cfg, notices = from_query(q)
    assert notices == []
    assert cfg.grid.axis1 == ("lr", (0.3, 1.2, 5.0)) and cfg.grid.axis2[1] == NG_WIDTHS and cfg.grid.seeds == 3
    back, notices = from_query(to_query(cfg))
    assert back == cfg and notices == []
    shape, cells = grid_cells(cfg)
    assert len(cells) == 3 * 7 * 3 and shape.n_cells == 21
    assert [c.cfg.net.seed for c in cells[:3]] == [2, 3, 4]                  # k seeds: the weights seed, +1, +2
    assert cells[3].cfg.train.learning_rate == 1.2 and cells[3].cfg.net.hidden == ((1, "tanh"),)
    assert {c.cfg.data.test_ratio for c in cells} == {0.2}                    # the sidebar's setup, as it is


@pytest.mark.parametrize("key,text,says", [
    ("ga", "lr:0.3,1.2,5,1,2,3,4,6", f"axis 1 of the grid has 8 values; give it 1 to {MAX_AXIS_VALUES}"),
    ("gb", ",".join(["units:1"] + [str(i) for i in range(2, 10)]), "has 9 values"),
    ("gk", "6", f"each cell repeats over 1 to {MAX_SEEDS} seeds, got 6"),
    ("ga", "units:1,2,999", "which must be a whole number from 1 to 50"),
    ("ga", "nosuch:1,2", "must be an axis and its values"),
    ("ga", "lr:1.2,1.2", "twice"),
    ("gb", "act:tanh,nosuch", "which must be one of"),
])
def test_a_malformed_or_oversized_grid_opens_the_default_with_a_notice(key, text, says):
    cfg, notices = from_query({"page": "compare", key: text})
    s = SETTINGS[key]
    assert getattr(cfg.grid, s.field) == s.default
    assert len(notices) == 1 and f"`{key}=" in notices[0] and says in notices[0] and "Using the default" in notices[0]
    assert len(grid_cells(cfg)[1]) == 7                                      # Ng's grid, as with no link


def test_one_setting_on_both_axes_drops_the_second():
    cfg, notices = from_query({"ga": "lr:0.3,1.2", "gb": "lr:5"})
    assert cfg.grid.axis2 is None and len(notices) == 1 and "`gb=lr:5`" in notices[0]


@pytest.mark.parametrize("query", [
    {"page": "compare", "ga": "units:1,2,3,4,5,6,7,8", "gk": "9"},
    {"page": "compare", "ga": "units:1,2,3", "gb": "lr:" + ",".join(str(v) for v in range(1, 9))},
    {"page": "compare", "ga": "zzz", "gep": "0", "gl": "99"},
])
def test_the_page_opens_odd_grid_links_with_their_notices(query):
    at = AppTest.from_file(str(ROOT / "explorer" / "pages" / "main.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    _, notices = from_query(query)
    shown = [w.value for w in at.warning]
    assert notices and all(n in shown for n in notices), (notices, shown)
    run = at.session_state["grid_run"]
    assert isinstance(run, GridRun) and run.shape.n_cells <= MAX_AXIS_VALUES ** 2


def test_the_compare_page_refuses_a_grid_past_its_memory():
    at = AppTest.from_file(str(ROOT / "explorer" / "pages" / "main.py"), default_timeout=60)
    for k, v in {"page": "compare", "n": "2000", "ga": "units:50,49,48,47,46,45,44", "gb": "depth:8,7,6,5,4,3,2",
                 "gk": "5", "layers": "50:tanh"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert any("This grid cannot be built" in e.value and f"{MAX_GRID_BYTES // 2**20} MB" in e.value for e in at.error)


# ---- the numbers -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ng_grid():
    run = grid_of({})
    run.train(5000)
    return run


def test_ngs_grid_ends_on_his_accuracies(ng_grid):
    acc = 100 * ng_grid.latest("score")
    assert ng_grid.epoch == 5000 and ng_grid.message is not None
    assert [acc[NG_WIDTHS.index(w)] for w in HIS] == list(HIS.values())
    assert 89.75 <= acc[5] <= 90.75 and 90.0 <= acc[6] <= 91.0             # his copies: 90.0–90.5, 90.25–90.75


def test_ngs_one_unit_cell_converged_on_a_poor_solution_not_stalled(ng_grid):
    """His 1 unit learns a little (67.5 %: its cost settles at 91 % of where it began) and
    stops: that is a converged cell, not a stalled one. No cell of his grid is stalled."""
    got = [BADGES[b] for b in ng_grid.badges()]
    assert got[0] == "converged" and "stalled" not in got and "diverged" not in got, got


def test_the_table_names_training_accuracy_without_a_test_set(ng_grid):
    rows = grid_rows(ng_grid)
    names = metric_names(ng_grid)
    assert "no test set" in names["final"] and names["gap"] not in rows[0]
    assert [r[names["final"]] for r in rows][:5] == list(HIS.values())
    assert all(r[names["best"]] >= r[names["final"]] and 1 <= r[names["epoch"]] <= 5000 for r in rows)
    assert {r["badge"] for r in rows} <= set(BADGES) and rows[0]["Hidden units (of the chosen layer)"] == "1 unit"


def test_a_cell_opened_from_its_link_replays_its_numbers():
    """The Live view builds the cell's run from its link: the same costs, epoch by epoch (the 20
    and 50 units sit alone in their stacks: bit for bit; 1–5 share a padded one: to 1e-12)."""
    grid = grid_of({"ga": "units:3,20", "gb": "lr:0.3,5"}, end=300)
    grid.train(300)
    for i, cell in enumerate(grid.cells):
        cfg, notices = from_query(cell_link(cell))
        assert notices == [] and cfg.data == cell.cfg.data and cfg.net == cell.cfg.net
        run = Run(cfg, build_data(cfg.data))
        run.train_steps(300, float("inf"))
        epochs, cost = grid.curves(i)
        h = run.trainer.history
        live = np.array([h.cost[h.epochs.index(e)] for e in epochs])
        np.testing.assert_allclose(cost, live, rtol=0, atol=1e-12)
        assert grid.epoch == run.epoch == 300 and grid.latest("score")[i] == h.accuracy[-1]


def test_mini_batches_and_a_test_set_replay_too():
    grid = grid_of({"ga": "bs:8,full", "gk": "2", "gbase": "sidebar", "ds": "moons"}, end=20)
    grid.train(20)
    assert grid.has_test and len(grid.sweeps) == 3                # batch 8: one sweep per shuffling seed
    for i, cell in enumerate(grid.cells):
        run = Run(cell.cfg, build_data(cell.cfg.data))
        run.train_steps(20 * run.steps_per_epoch, float("inf"))
        assert grid.latest("test_score")[i] == run.trainer.history.test_accuracy[-1]
        assert abs(grid.latest("cost")[i] - run.trainer.history.cost[-1]) < 1e-12


def test_a_step_is_one_epoch_of_every_cell_and_reset_replays():
    grid = grid_of({"ga": "units:2,4"}, end=50)
    grid.step_epoch()
    assert grid.epoch == 1 and list(grid.cell_epochs()) == [1, 1]
    grid.train(49)
    first = grid.latest("cost").copy()
    grid.reset()
    assert grid.epoch == 0 and np.isnan(grid.latest("cost")).all()
    grid.train(50)
    assert np.array_equal(grid.latest("cost"), first)


def test_a_slice_may_end_mid_epoch_and_the_grid_epoch_is_the_lowest():
    grid = grid_of({"ga": "units:1,2,3,4,5,20,50", "gb": "lr:0.3,1.2,5"}, end=100)
    grid.train_steps(1 << 30, 0.0)                                 # the deadline has passed: one update
    assert grid.epoch == 0 and sorted(set(grid.cell_epochs())) == [0, 1]
    grid.train(1 << 30)
    assert grid.ended and set(grid.cell_epochs()) == {100}


# ---- badges --------------------------------------------------------------------------------------------
def test_the_badge_rule():
    epochs = np.arange(1, 201)
    falling = 1.0 / epochs                                          # still falling fast
    settled = np.r_[np.linspace(1.0, 0.3, 100), np.full(100, 0.3)]  # learned, then flat
    stuck = np.full(200, 0.69)                                      # never moved
    cost = np.column_stack([falling, settled, stuck, stuck])
    got = badges(epochs, cost, np.array([False, False, False, True]))
    assert list(got) == [LEARNING, CONVERGED, STALLED, DIVERGED]
    early = badges(epochs[:WINDOW_MIN - 1], cost[:WINDOW_MIN - 1], np.zeros(4, bool))
    assert list(early) == [LEARNING] * 3 + [LEARNING]


def test_a_diverging_cell_is_badged_and_the_rest_train_on():
    grid = grid_of({"ds": "reg_plane", "ga": "lr:0.01,10", "gbase": "sidebar", "layers": "8:relu"}, end=200)
    with np.errstate(all="ignore"):
        grid.train(200)
    b, at = grid.badges(), grid.diverged_at()
    assert grid.epoch == 200 and at[0] == 0 and 0 < at[1] < 200, at       # η 10 diverges within a few epochs
    assert b[1] == DIVERGED and b[0] != DIVERGED
    assert np.isfinite(grid.latest("cost")[0]) and grid.curves(0)[0][-1] == 200   # the other trained on to 200


def test_memory_per_network():
    """Recorded in the README: bytes a network holds in a grid of Ng's widths."""
    grid = grid_of({"ga": "units:4"}, end=2)
    grid.train(2)
    small = grid.nbytes
    grid = grid_of({"ga": "units:50"}, end=2)
    grid.train(2)
    assert 60e3 < small < 120e3 and 500e3 < grid.nbytes < 900e3, (small, grid.nbytes)


def test_a_cell_config_is_a_full_config():
    shape, cells = grid_cells(Config())
    assert all(isinstance(c.cfg, Config) and c.cfg.view.page == "live" for c in cells)


def test_seeds_give_each_cell_a_median_and_a_range():
    grid = grid_of({"ga": "units:2,4", "gk": "3", "gbase": "sidebar"}, end=150)
    grid.train(150)
    rows, names = grid_rows(grid), metric_names(grid)
    assert len(rows) == 2 and all(r["seeds"] == 3 for r in rows) and grid.has_test and names["gap"] in rows[0]
    for r, start in zip(rows, (0, 3)):
        test = 100 * grid.latest("test_score")[start:start + 3]
        assert r[names["final"]] == round(float(np.median(test)), 2)
        assert r[names["final"] + " range"] == f"{round(test.min(), 2):g}–{round(test.max(), 2):g}"


# ---- grids the Live view could not open exactly are refused ---------------------------------------
@pytest.mark.parametrize("query, says", [
    ({"layers": "4:tanh,4:tanh,4:tanh", "ga": "depth:1,8"}, "at most 8"),          # 10 hidden layers
    ({"seed": str(2**32 - 2), "gk": "3"}, "largest seed"),                          # seeds 2**32 - 2 .. 2**32
])
def test_cells_past_the_settings_limits_are_refused(query, says):
    cfg, _ = from_query(query)
    with pytest.raises(ValueError, match=says):
        grid_cells(cfg)


def test_one_setting_on_both_axes_is_refused_from_the_editor_too():
    """The link drops the second axis with a notice; a Config built otherwise (the grid editor)
    is refused with a sentence rather than naming cells after values they do not train with."""
    cfg, _ = from_query({"ga": "lr:0.3,1.2"})
    cfg = replace(cfg, grid=replace(cfg.grid, axis2=("lr", (3.0, 10.0))))
    with pytest.raises(ValueError, match="both axes vary"):
        grid_cells(cfg)


def test_every_cell_of_a_deep_grid_opens_as_itself():
    cfg, _ = from_query({"layers": "4:tanh,4:tanh", "ga": "depth:1,7", "gk": "2"})
    _, cells = grid_cells(cfg)
    for cell in cells:
        back, notices = from_query(cell_link(cell))
        assert notices == [] and back.net == cell.cfg.net


def test_a_grid_past_the_servers_room_is_refused_with_a_sentence():
    cfg, _ = from_query({})
    shape, cells = grid_cells(cfg)
    with pytest.raises(ValueError, match="other grids leave room"):
        GridRun(shape, cells, build_data, 100, limit=2**20)


def test_own_data_chosen_without_points_grids_the_data_the_page_shows():
    """"Your own data" picked before any point is uploaded: the page keeps the default data
    loaded, and so does the grid (it raised KeyError: 'own')."""
    from explorer.choices.config import OWN_DATA
    from explorer.pages import widget_state
    cfg, _ = from_query({"ga": "units:1,2"})
    cfg = replace(cfg, data=replace(cfg.data, dataset=OWN_DATA))
    shape, cells = grid_cells(cfg)
    run = GridRun(shape, cells, widget_state.data_for, 10)
    run.train(10)
    assert run.epoch == 10 and len(run.bundles[0].y_train) == len(build_data(Config().data).y_train)


def test_cells_train_without_a_schedule_or_stopping_rule_and_their_links_say_so():
    """The grid's engine has a constant η and no early stopping: a setup with a cosine schedule
    and patience gives cells without them, so each cell's link opens the run the cell shows."""
    cfg, _ = from_query({"sched": "cosine", "warm": "10", "val": "0.1", "patience": "20", "ga": "units:1,2"})
    assert cfg.train.schedule == "cosine" and cfg.train.patience == 20
    _, cells = grid_cells(cfg)
    plain = Config().train
    for cell in cells:
        assert (cell.cfg.train.schedule, cell.cfg.train.warmup, cell.cfg.train.patience) == \
            (plain.schedule, plain.warmup, plain.patience)
        link, default = cell_link(cell), to_query(Config())
        assert (link["sched"], link["warm"], link["patience"]) == (default["sched"], default["warm"], default["patience"])
