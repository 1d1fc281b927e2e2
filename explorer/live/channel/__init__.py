"""The live channel: one WebSocket per open page beside Streamlit's own (``st.App`` route).

``wire``: the message format (read it first); ``history``: the bounded live history;
``registry``: per-session tokens; ``scheduler``: the one training thread;
``routes``: the Starlette WebSocket endpoint.
"""
