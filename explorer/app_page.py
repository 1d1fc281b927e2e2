"""The page script: what one learner sees on every run (``app.py`` names it).

It only composes: session state, sidebar controls, the live panel and the
backpropagation view live in the other ``explorer`` modules; the engine is ``core/``.
"""
import streamlit as st

from explorer import controls, page, state
from explorer.frames import View
from explorer.live_panel import live_panel, training_buttons
from explorer.presets import preset_buttons

PAGES = {"Live training": "live", "Backpropagation, step by step": "backprop"}


def main() -> None:
    st.set_page_config(page_title="Backprop Explorer", page_icon="🧠", layout="wide",
                       initial_sidebar_state="expanded")
    state.init_session()
    ss = st.session_state
    big = bool(ss["pres"])

    with st.sidebar:
        st.markdown("## Backprop Explorer")
        with st.expander("Lessons", expanded=False):
            preset_buttons()
        with st.expander("Data", expanded=True):
            controls.data_controls()
        with st.expander("Network", expanded=True):
            controls.network_controls()
        with st.expander("Training", expanded=True):
            controls.training_controls()
        controls.view_controls()

    page.header(big)
    cfg = state.config_from_widgets()
    page.notices(cfg)
    try:
        run = state.current_run(cfg)
    except ValueError as err:            # an invalid combination the learner chose: say why
        st.error(f"This network cannot be built: {err}")
        st.stop()
    state.sync_url(cfg)

    left, right = st.columns([3, 1.3], vertical_alignment="center")
    page_name = left.segmented_control("View", list(PAGES), key="page", label_visibility="collapsed")
    right.toggle("Presentation mode", key="pres")
    if PAGES.get(page_name, "live") == "live":
        c = st.columns(4)                  # options of the live charts only
        c[0].toggle("Discretise output", key="discretize")
        c[1].toggle("Show test points", key="show_test")
        c[2].toggle("Log-scale loss", key="log_loss")
        c[3].selectbox("Gradient view", ["grad_norm", "delta_mean"], key="grad_key", label_visibility="collapsed",
                       format_func={"grad_norm": "‖∂J/∂W‖ per layer", "delta_mean": "mean |δ| per layer"}.get)
        view = View(discretize=ss["discretize"], show_test=ss["show_test"], log_loss=ss["log_loss"], big=big,
                    grad_key=ss["grad_key"], height=430 if big else 330)
        training_buttons(run)
        live_panel(view, columns=2)
    else:
        from explorer import backprop_view
        with page.friendly_errors("showing the backpropagation steps"):
            backprop_view.render(run, big)


if __name__ == "__main__":
    main()
