"""Take it with you: the data as CSV, the model as JSON, the run as a standalone Python
script and as an animated GIF; and a model file back in.

Every download is built only when clicked (Streamlit runs the callable then), under the
run's lock, so the live channel's training thread never hands over half an update.
Importing a model sets every setting the file names and starts the network from the
file's weights (``StartWeights``); Reset then replays from those weights. Nothing in an
uploaded file is evaluated or unpickled (``core.model_file`` parses JSON only).
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from core import Network
from core.export_script import python_notebook, python_script
from core.model_file import SavedModel, dumps, load_model
from core.outputs import resolve_output
from core.user_data import to_csv
from explorer.choices.config import Config, NetConfig, StartWeights, problem_of
from explorer.choices.instruments import schedule_fields, schedule_of
from explorer.training.run import Run
from explorer.choices.parsers import BadValue
from explorer.choices.settings_table import ROWS, SETTINGS
from explorer.pages import widget_state

CSV_NAME = "backprop_data.csv"
IMPORTED = "imported_model"       # session key: (NetConfig the file set, StartWeights)


def training_settings(run: Run) -> dict:
    """The settings a model file and the exported script record."""
    t, n = run.cfg.train, run.cfg.net
    return {"optimizer": t.optimizer, "learning_rate": t.learning_rate, "batch_size": run.trainer.batch_size,
            "l1": t.l1, "l2": t.l2, "seed": n.seed, "init": n.init, "schedule": schedule_of(t).to_dict()}


def starting_network(run: Run) -> Network:
    """A network with the run's starting weights: what Reset returns to."""
    net = run.net
    fresh = Network(net.n_inputs, [(layer.size, layer.activation.name) for layer in net.layers], net.loss.name,
                    seed=run.cfg.net.seed, init=run.cfg.net.init)
    if run.cfg.net.start is not None:
        run.cfg.net.start.copy_into(fresh)
    return fresh


def data_csv(run: Run) -> str:
    d = run.data
    return to_csv(d.X_train, d.y_train, d.X_test, d.y_test, d.problem)


def stop_record(run: Run):
    """Where and why the run's stopping rule ended it (a core StopRecord), if it did at this epoch."""
    err = run.stopped_by
    return err.record if err is not None and err.record.epoch == run.epoch else None


def model_json(run: Run) -> str:
    with run.lock:
        return dumps(run.net, run.data.pipeline, training_settings(run), run.epoch, run.trainer.history,
                     stop_record(run))


def script_text(run: Run, notebook: bool = False) -> str:
    """The run as a standalone numpy script (or the same as a Jupyter notebook): from the
    starting weights, with the current settings, for as many epochs as the run has done."""
    epochs = run.epoch if run.epoch > 0 else 1000
    with run.lock:
        net = starting_network(run)
        stopped = stop_record(run)
    training = {**training_settings(run), "stopped": None if stopped is None else stopped.to_dict()}
    make = python_notebook if notebook else python_script
    return make(net, run.data.pipeline, training, epochs=epochs,
                print_every=max(1, epochs // 20), csv_name=CSV_NAME)


def gif_bytes(run: Run) -> bytes:
    from explorer.figures.animation import boundary_gif      # Pillow work, only when asked for
    d = run.data
    with run.lock:
        run.snapshots.record(run.epoch, run.net.parameters(), force=True)
        frames = list(run.snapshots)
        h = run.trainer.history
        epochs, cost = list(getattr(h, "epochs", range(1, len(h.cost) + 1))), list(h.cost)
    return boundary_gif(frames, run.net, d.pipeline, d.X_train, d.y_train, cost, epochs=epochs,
                        X_test=d.X_test, y_test=d.y_test, extent=float(d.xs[-1]))


def imported_start(net: NetConfig) -> StartWeights | None:
    """The imported weights, while the network settings are still the ones the file set."""
    kept = st.session_state.get(IMPORTED)
    if kept is not None and kept[0] == replace(net, start=None):
        return kept[1]
    return None


def config_from_model(cfg: Config, model: SavedModel) -> Config:
    """``cfg`` with every setting a model file names: layers, output, loss, initialiser and
    seed, training settings, input features and standardisation (the data stay)."""
    net, t = model.net, model.training
    hidden = tuple((layer.size, layer.activation.name) for layer in net.layers[:-1])
    return replace(
        cfg,
        data=replace(cfg.data, features=tuple(model.pipeline.features), standardize=model.pipeline.standardized),
        net=replace(cfg.net, hidden=hidden, output=net.output, loss=net.loss.name, init=t["init"],
                    seed=int(t["seed"]), start=None),
        train=replace(cfg.train, optimizer=t["optimizer"], learning_rate=float(t["learning_rate"]),
                      batch_size=t["batch_size"], l1=float(t["l1"]), l2=float(t["l2"]),
                      **schedule_fields(model.schedule)))


def misfit(cfg: Config, model: SavedModel) -> str | None:
    """Why the explorer cannot show ``model`` on ``cfg``'s data as it is (None if it can):
    a setting outside the settings table's range, or an output that does not fit the data."""
    for s in ROWS:
        if s.group in ("data", "net", "train") and s.in_url:
            value = getattr(getattr(cfg, s.group), s.field)
            text = s.fmt(value)
            if text is None:
                continue
            try:
                s.parse(text)
            except BadValue as err:
                return f"the explorer cannot build its {s.label.lower()}, {text}: the setting {err}"
    last = model.net.layers[-1]
    problem, n_classes = problem_of(cfg.data)
    try:
        units, out, loss = resolve_output(problem, n_classes, last.activation.name, model.net.loss.name)
    except ValueError as err:
        return f"it does not fit the current data: {err}"
    if units != last.size:
        what = f"{n_classes} classes" if problem == "classification" else "one target"
        return (f"its output layer has {last.size} {last.activation.name} unit(s), but the current data have "
                f"{what}; choose data that fit it first, then open the file again")
    return None


def _on_model_upload() -> None:
    """Callback: read the chosen model file and load its settings into the widgets."""
    ss = st.session_state
    up = ss.get("model_upload")
    if up is None:
        return
    try:
        model = load_model(up.getvalue())
    except ValueError as err:
        ss["model_error"] = str(err)
        return
    cfg = widget_state.config_from_state()
    new = config_from_model(cfg, model)
    problem = misfit(new, model)
    if problem:
        ss["model_error"] = problem
        return
    ss["model_error"] = None
    widget_state.set_widgets(new)
    ss[IMPORTED] = (new.net, StartWeights.of(model.net, model.epoch))
    ss.pop("run", None)


def _new_weights() -> None:
    """Callback: draw a new weights seed (and forget imported weights)."""
    ss = st.session_state
    key = SETTINGS["seed"].key
    widget_state.write_widgets({key: (int(ss.get(key, 0)) * 7919 + 104_729) % 1_000_003})
    ss.pop(IMPORTED, None)


def export_panel(run: Run) -> None:
    """The sidebar's "Take it with you" section (the run's exports wait for training points)."""
    empty = not run.trainable
    st.button("New weights", key="new_weights", icon=":material/casino:", on_click=_new_weights, width="stretch",
              help="Draw a new weights seed (it is in the link); Reset replays the current one")
    st.download_button("Data (CSV)", lambda: data_csv(run), file_name=CSV_NAME, mime="text/csv",
                       on_click="ignore", icon=":material/table:", width="stretch", key="dl_csv",
                       help="x1, x2, label (or target) and a train/test column; upload it again unchanged")
    st.download_button("Model (JSON)", lambda: model_json(run), file_name="backprop_model.json",
                       mime="application/json", on_click="ignore", icon=":material/save:", width="stretch",
                       key="dl_model", disabled=empty, help="Weights, layers, loss, input features and standardiser, settings")
    st.download_button("Python script", lambda: script_text(run), file_name="backprop_train.py",
                       mime="text/x-python", on_click="ignore", icon=":material/code:", width="stretch",
                       key="dl_script", disabled=empty, help=f"numpy only; it reads {CSV_NAME} (download it too) and trains "
                                             "from the same starting weights with the current settings, "
                                             "printing the cost")
    st.download_button("Jupyter notebook", lambda: script_text(run, notebook=True), file_name="backprop_train.ipynb",
                       mime="application/x-ipynb+json", on_click="ignore", icon=":material/book:", width="stretch",
                       key="dl_notebook", disabled=empty, help="The same program as the script, one cell per part")
    st.download_button("Animation (GIF)", lambda: gif_bytes(run), file_name="backprop_run.gif",
                       mime="image/gif", on_click="ignore", icon=":material/animated_images:", width="stretch",
                       key="dl_gif", disabled=empty, help="The decision boundary and the loss over the run so far, for slides")
    st.file_uploader("Open a model file (JSON)", type=["json"], key="model_upload", on_change=_on_model_upload,
                     help="Continue training it, or inspect it in the step-by-step view")
    if st.session_state.get("model_error"):
        st.error(f"That model file cannot be used: {st.session_state['model_error']}")
