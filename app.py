"""Backprop Explorer: build a network, press Play, watch backpropagation learn.

``streamlit run app.py`` starts it. This file is the launcher: an ``st.App`` (Streamlit's
documented ASGI app server) that serves the page, ``explorer/pages/main.py``, and beside it
the live channel's WebSocket (``explorer/live/channel``) on the same host and port. Its one
middleware lets a browser keep the live component's files between visits
(``explorer/live/caching.py``); its lifespan writes the runs' last checkpoints when the server
stops (``explorer/live/channel/lifespan.py``).
"""
import streamlit as st
from starlette.middleware import Middleware

from explorer.live.caching import ComponentFileCache
from explorer.live.channel.lifespan import lifespan
from explorer.live.channel.routes import ROUTES

app = st.App("explorer/pages/main.py", routes=ROUTES, lifespan=lifespan,
             middleware=[Middleware(ComponentFileCache, base=st.get_option("server.baseUrlPath"))])
