"""Backprop Explorer: the Streamlit front end."""
