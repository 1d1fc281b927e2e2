"""The page script: what one learner sees on every run (``app.py`` names it).

It only composes: the sidebar's controls return the data, network and training
settings, the view options above the charts return the view; session state, the live
panel and the backpropagation view live in the other ``explorer`` modules.
"""
from dataclasses import replace

import streamlit as st

from explorer import controls, draw_panel, export_panel, page, state
from explorer.config import Config
from explorer.frames import View
from explorer.live_panel import live_panel
from explorer.presets import preset_buttons
from explorer.settings import SETTINGS


def main() -> None:
    st.set_page_config(page_title="Backprop Explorer", page_icon="🧠", layout="wide",
                       initial_sidebar_state="auto")
    state.init_session()
    big = bool(state.read(SETTINGS["present"]))   # the header is drawn before the toggle

    with st.sidebar:
        st.markdown("## Backprop Explorer")
        with st.expander("Lessons", expanded=False):
            preset_buttons()
        with st.expander("Data", expanded=True):
            data = controls.data_controls()
        with st.expander("Network", expanded=True):
            net = controls.network_controls()
        net = replace(net, start=export_panel.imported_start(net))
        with st.expander("Training", expanded=True):
            train = controls.training_controls()
        controls.view_controls()

    page.header(big)
    view = controls.view_group()
    # One row (it wraps on a phone): the view, the live charts' options, presentation mode.
    bar = st.container(horizontal=True, vertical_alignment="center", key="view_bar")
    page_name = view.show("page", bar)
    if page_name == "live":
        controls.chart_options(view, bar)
    view.show("present", bar)
    cfg = Config(data, net, train, view.done(controls.ViewConfig))
    page.notices(cfg)
    try:
        run = state.current_run(cfg)
    except ValueError as err:            # an invalid combination the learner chose: say why
        st.error(f"This network cannot be built: {err}")
        st.stop()
    state.sync_url(cfg)
    page.keep_link_options()
    with st.sidebar, st.expander("Take it with you", expanded=False, icon=":material/download:"):
        export_panel.export_panel(run)
    if page_name == "live":
        v = cfg.view
        height, columns = page.live_layout(big)          # sized to the screen
        draw_panel.draw_toolbar(run)
        live_panel(View(discretize=v.discretize, show_test=v.show_test, log_loss=v.log_loss, big=big,
                        grad_key=v.grad_key, height=height), columns=columns)
    else:
        from explorer import backprop_view
        with page.friendly_errors("showing the backpropagation steps"):
            backprop_view.render(run, big)


if __name__ == "__main__":
    main()
