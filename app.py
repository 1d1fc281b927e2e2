"""Backprop Explorer: build a network, press Play, watch backpropagation learn.

``streamlit run app.py`` starts it. The page itself is ``explorer/app_page.py``.
"""
from explorer.app_page import main

main()
