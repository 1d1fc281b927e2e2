"""Backprop Explorer's engine: feed-forward networks and backpropagation in numpy.

Examples are rows throughout the engine: X has shape (N, S_0), Z and A of layer l
have shape (N, S_l). Weights follow the seeds: W of layer l has shape (S_l, S_{l-1}).
"""
