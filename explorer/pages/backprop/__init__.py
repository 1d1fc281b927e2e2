"""The backpropagation view: the derivation of docs/derivation.md, one click at a time, with
the run's own numbers. ``view.render`` draws it; the numbers, the steps and their formulas
are computed without Streamlit (``one_pass``, ``steps``, ``notation``, ``notes``)."""
