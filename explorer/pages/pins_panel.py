"""Pinned runs on the page: "Pin this run" in the Live view, the pins side by side in Compare.

The session keeps its pins (``explorer.training.pins.Pin``, at most ``MAX_PINS``) under ``PINNED``;
they are the truth. The settings table's ``pin`` row (in the link) holds the link forms of those a
replay gives again, as many as keep the link under ``MAX_LINK_CHARS`` (``keep_pins``, every run:
the others travel as a file, and the Compare view says so and offers it). A link's pins are
re-trained once, on the session's first run; one that does not read, or one too many, is named in
a notice and the others open.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from explorer.choices.link import to_query
from explorer.choices.pin_link import MAX_LINK_CHARS, MAX_PINS, ORIGIN_CHARS, fits, query_chars
from explorer.choices.settings_table import PIN_TEXT, SETTINGS
from explorer.live.component import live_pins
from explorer.live.pins_setup import pin_score, pins_message
from explorer.pages.widget_state import cached_data, config_from_state
from explorer.training import pin_file
from explorer.training.pins import check_link, pin_from_link, pin_run

PINNED, READ, TOAST = "pinned", "pins_read", "pins_toast"      # session keys
VIEW, UPLOAD, REMOVED = "pins_view", "pins_upload", "pins_removed"
PIN = SETTINGS["pin"]
PIN_ICON = ":material/push_pin:"
FULL = f"{MAX_PINS} runs are pinned, the most a session keeps: remove one in Compare first."


def pinned() -> list:
    return st.session_state.setdefault(PINNED, [])


def link_pins(pins: list, base: dict) -> tuple[tuple, dict]:
    """The pins' link forms that keep a link of ``base`` (the rest of the query) under MAX_LINK_CHARS,
    in pin order, and {uid: the link's length had it been added} for those left out."""
    links, left = [], {}
    for p in pins:
        if p.link is None:
            continue
        q = {**base, PIN.key: PIN.fmt(tuple(links) + (p.link,))}
        if fits(q):
            links.append(p.link)
        else:
            left[p.uid] = ORIGIN_CHARS + query_chars(q)
    return tuple(links), left


def keep_pins(cfg):
    """``cfg`` with the pins that travel in its link (call once the run's Config is built). On the
    session's first run the link's pins are re-trained first, with notices for those ignored."""
    ss = st.session_state
    if not ss.get(READ):
        ss[READ] = True
        _open_link_pins(cfg.grid.pins)
    base = to_query(replace(cfg, grid=replace(cfg.grid, pins=PIN.default)))
    links, ss["pins_left_out"] = link_pins(pinned(), base)
    ss[PIN.key] = links
    return replace(cfg, grid=replace(cfg.grid, pins=links))


def _open_link_pins(links: tuple) -> None:
    notices = st.session_state.setdefault("notices", [])
    if not links:
        return
    with st.spinner(f"Re-training the link's {len(links)} pinned run{'s' * (len(links) > 1)}…"):
        for i, link in enumerate(links):
            if len(pinned()) >= MAX_PINS:
                rest = PIN.fmt(links[i:])
                notices.append(f"Ignored pin{'s' * (i < len(links) - 1)} {i + 1}"
                               f"{f'–{len(links)}' if i < len(links) - 1 else ''} `{rest[:40]}` from the link: "
                               f"at most {MAX_PINS} runs can be pinned.")
                break
            try:
                pinned().append(pin_from_link(link, cached_data))
            except ValueError as err:
                notices.append(f"Ignored pin {i + 1} `{link.text[:40]}` from the link: it {err}. "
                               "The other pins open.")


# ---- the Live view: Pin this run ------------------------------------------------------------------
def pin_button(container) -> None:
    """"Pin this run" (in the view bar); what pinning did comes as a toast."""
    container.button("Pin this run", key="pin_run", icon=":material/push_pin:", on_click=_pin_now,
                     help=f"Keep this run as it is now (setup, boundary, curves, metrics) to compare in the Compare "
                          f"view; up to {MAX_PINS}")
    note = st.session_state.pop(TOAST, None)
    if note:
        st.toast(note[0], icon=note[1])


def _pin_now() -> None:
    ss = st.session_state
    run, pins = ss.get("run"), pinned()
    if run is None:
        return
    if len(pins) >= MAX_PINS:
        ss[TOAST] = (FULL, ":material/block:")
        return
    pin = pin_run(run, cached_data, PIN_TEXT.link_of)
    pins.append(pin)
    where = f"{len(pins)} of {MAX_PINS} pinned; see them in Compare"
    if pin.link is None:
        ss[TOAST] = (f"Pinned at epoch {pin.epoch:,}. It travels as a file, not in the link: {pin.why}. "
                     f"Download it in Compare ({where}).", PIN_ICON)
        return
    cfg = config_from_state()
    _, left = link_pins(pins, to_query(replace(cfg, grid=replace(cfg.grid, pins=PIN.default))))
    if pin.uid in left:
        ss[TOAST] = (f"Pinned at epoch {pin.epoch:,}. The link would be {left[pin.uid]:,} characters with it "
                     f"(links stay under {MAX_LINK_CHARS:,}), so it travels as a file: download it in Compare "
                     f"({where}).", PIN_ICON)
    else:
        ss[TOAST] = (f"Pinned at epoch {pin.epoch:,}: it is in the link ({where}).", PIN_ICON)


# ---- the Compare view: the pins side by side -----------------------------------------------------
def pins_section(big: bool) -> None:
    ss, pins = st.session_state, pinned()
    st.markdown(f"#### Pinned runs · {len(pins)} of {MAX_PINS}")
    if not pins:
        st.caption("None yet: press **Pin this run** in the Live view to keep a run (its setup, final boundary, "
                   "curves and metrics) and compare it here. A pins file opens here too.")
    else:
        live_pins(pins_message(pins, big), height=440 if big else 380, key=VIEW, on_change=_on_remove)
        st.dataframe(pd.DataFrame(_rows(pins)), hide_index=True, width="stretch")
        left = ss.get("pins_left_out") or {}
        files = [(i, p) for i, p in enumerate(pins) if p.link is None or p.uid in left]
        if files:
            lines = [f"- **{i + 1}. {p.name}**: " + (p.why if p.link is None else
                     f"the link would be {left[p.uid]:,} characters with it (links stay under {MAX_LINK_CHARS:,})")
                     for i, p in files]
            st.warning(f"{len(files)} pinned run{'s' * (len(files) > 1)} travel{'s' * (len(files) == 1)} as a file, "
                       "not in the link; download the pins file to share them:\n" + "\n".join(lines))
        st.download_button("Download the pinned runs (JSON)", pin_file.dumps(pins).encode("utf-8"),
                           "pinned_runs.json", "application/json", icon=":material/download:", key="pins_download")
    _upload()


def _rows(pins) -> list[dict]:
    rows = []
    for i, p in enumerate(pins):
        name = "accuracy" if p.metric == "accuracy" else "R²"
        rows.append({"#": i + 1, "run": p.name, "epoch": p.epoch,
                     "setup": ", ".join(f"{k}={v}" for k, v in p.setup) or "the defaults",
                     f"train {name}": p.latest("score"), f"test {name}": p.latest("test_score") if p.has_test else None,
                     "final loss": p.latest("cost"), "shown score": pin_score(p),
                     "travels": "in the link" if p.link is not None and p.uid not in
                     (st.session_state.get("pins_left_out") or {}) else "as a file"})
    return rows


def _on_remove() -> None:
    ss = st.session_state
    value = ss.get(VIEW)
    if not isinstance(value, dict) or value.get("remove") is None or value.get("n") == ss.get(REMOVED):
        return
    ss[REMOVED] = value.get("n")
    ss[PINNED] = [p for p in pinned() if p.uid != value["remove"]]


def _upload() -> None:
    ss = st.session_state
    up = st.file_uploader("Open a pins file (JSON)", type=["json"], key=UPLOAD,
                          help=f"A file downloaded here: its pinned runs join these (up to {MAX_PINS})")
    if up is not None and ss.get("pins_upload_id") != up.file_id:
        ss["pins_upload_id"] = up.file_id
        ss["pins_upload_note"] = _read(up)
        st.rerun()
    note = ss.get("pins_upload_note")
    if note:
        (st.success if note[0] else st.error)(note[1])


def _read(up) -> tuple[bool, str]:
    try:
        found = pin_file.loads(up.getvalue())
    except ValueError as err:
        return False, f"This pins file cannot be opened: {err}."
    pins, added, skipped = pinned(), 0, 0
    for pin, text in found:
        if len(pins) >= MAX_PINS:
            skipped += 1
            continue
        if text is not None:
            try:
                (link,) = PIN.parse(text)
            except (ValueError, TypeError):
                link = None
            if link is not None and not link.error:
                pin = check_link(pin, link, cached_data)   # in the link only if a replay gives its numbers
        pins.append(pin)
        added += 1
    more = f" {skipped} more did not fit: at most {MAX_PINS} runs can be pinned." if skipped else ""
    return not skipped, f"Opened {added} pinned run{'s' * (added != 1)} from the file.{more}"
