"""Backprop Explorer's engine: feed-forward networks and backpropagation in numpy.

Examples are rows throughout the engine: X has shape (N, S_0), z and a of layer l
have shape (N, S_l). W of layer l has shape (S_l, S_{l-1}). The equations the code
cites, (F1), (B2) and so on, are derived in docs/derivation.md.
"""
from .activations import ACTIVATIONS, hidden_activations
from .gradcheck import gradient_check
from .grid import MAX_CELLS, Cell
from .initializers import INITIALIZERS
from .losses import LOSSES
from .model_file import SavedModel, load_model
from .network import Network
from .optimizers import OPTIMIZERS
from .sweep import Sweep
from .training import History, Trainer, TrainingDiverged, train

# ``core.Network.load(path)`` reads a model file, as ``core.load_model(path)`` does. It is
# attached here, where both modules are loaded: network.py never imports model_file.py
# (which builds Networks), so the two never import each other.
Network.load = staticmethod(load_model)

__all__ = ["ACTIVATIONS", "hidden_activations", "INITIALIZERS", "LOSSES", "OPTIMIZERS", "History",
           "Network", "SavedModel", "Trainer", "TrainingDiverged", "gradient_check", "load_model", "train",
           "Cell", "MAX_CELLS", "Sweep"]
