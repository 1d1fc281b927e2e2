"""The page script: what one learner sees on every run (``app.py`` names it).

It only composes: the sidebar's controls return the data, network and training
settings, the view options above the charts return the view; session state, the live
panel and the backpropagation view live in the other ``explorer`` modules.
"""
from dataclasses import replace

import streamlit as st

from explorer.pages import sidebar

from explorer.pages import draw_toolbar

from explorer.pages import exports

from explorer.pages import chrome

from explorer.pages import compare, compare_nav, landscape_panel, pins_panel

from explorer.pages import widget_state
from explorer.pages import class_panel
from explorer.choices.config import Config, GridConfig
from explorer.live.setup_message import View
from explorer.pages.live_view import live_panel
from explorer.pages.lessons import preset_buttons
from explorer.choices.settings_table import SETTINGS


def main() -> None:
    st.set_page_config(page_title="Backprop Explorer", page_icon="🧠", layout="wide",
                       initial_sidebar_state="auto")
    widget_state.init_session()
    role = class_panel.begin()              # a class's projector or join page stops here
    big = bool(widget_state.read(SETTINGS["present"]))   # the header is drawn before the toggle

    with st.sidebar:
        st.markdown("## Backprop Explorer")
        with st.expander("Lessons", expanded=False):
            preset_buttons()
        with st.expander("Data", expanded=True):
            data = sidebar.data_controls()
        with st.expander("Network", expanded=True):
            net = sidebar.network_controls()
        net = replace(net, start=exports.imported_start(net))
        with st.expander("Training", expanded=True):
            train = sidebar.training_controls()
        sidebar.view_controls()
        class_panel.sidebar_entry(role)

    chrome.header(big)
    view = sidebar.view_group()
    # One row (it wraps on a phone): the view, the live charts' options, presentation mode.
    bar = st.container(horizontal=True, vertical_alignment="center", key="view_bar")
    page_name = view.show("page", bar)
    if page_name == "live":
        sidebar.chart_options(view, bar)
    view.show("present", bar)
    grid = sidebar.Group("grid").done(GridConfig)        # the Compare view's grid (drawn there)
    cfg = Config(data, net, train, view.done(sidebar.ViewConfig), grid)
    cfg = pins_panel.keep_pins(cfg)                       # the link's pins (first run); those the link carries
    chrome.notices(cfg)
    class_panel.panel(role)
    try:
        run = widget_state.current_run(cfg)
    except ValueError as err:            # an invalid combination the learner chose: say why
        st.error(f"This network cannot be built: {err}")
        st.stop()
    class_panel.limit(role, run)
    widget_state.sync_url(cfg)
    chrome.keep_link_options()
    with st.sidebar, st.expander("Take it with you", expanded=False, icon=":material/download:"):
        exports.export_panel(run)
    if page_name == "live":
        v = cfg.view
        compare_nav.back_bar()                             # a Compare cell open here: the way back
        height, columns = chrome.live_layout(big)          # sized to the screen
        tools = draw_toolbar.draw_toolbar(run)
        pins_panel.pin_button(tools)                       # keep this run, to compare it later
        live_panel(View(discretize=v.discretize, show_test=v.show_test, log_loss=v.log_loss, big=big,
                        grad_key=v.grad_key, height=height, metrics=v.metrics, histograms=v.histograms),
                   columns=columns)
        if v.landscape:
            landscape_panel.landscape_panel(run, big)      # computed on request, below the charts
    elif page_name == "compare":
        with chrome.friendly_errors("showing the grid"):
            compare.compare_view(cfg, big)
            pins_panel.pins_section(big)
    else:
        from explorer.pages.backprop import view as backprop_view
        with chrome.friendly_errors("showing the backpropagation steps"):
            backprop_view.render(run, big)


if __name__ == "__main__":
    main()
