"""Pure figure builders: arrays in, plotly figure dicts out (no Streamlit here).

They return plain dicts, the JSON form of a plotly figure, with numpy arrays
encoded as plotly.js typed arrays ({dtype, bdata, shape}); ``go.Figure(fig)``
accepts every one of them (the tests check that). Skipping plotly's Python-side
validation keeps a live frame cheap.
"""
