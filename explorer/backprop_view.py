"""The backpropagation view (placeholder until issue 5 lands)."""
import streamlit as st


def render(run, big: bool) -> None:
    st.info("The step-by-step backpropagation view is being built.")
