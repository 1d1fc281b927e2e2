""""Export as Python": one standalone script (numpy + the standard library) that trains
the learner's network again, from the same starting weights, and prints its cost.

The script reads the training rows of the CSV the app exports (header x1, x2,
label|target, split), builds the same input features and standardisation, sets the
same weights (written out with ``repr``, so they are exact), and trains with the same
optimizer, learning rate, batch order and penalties as ``core.Trainer``. What it prints
every k epochs is what ``History.cost`` holds: J (with the penalties) over the whole
training set after that epoch's updates. ``tests/test_export_script.py`` runs it and
compares to 1e-9. ``python_notebook`` gives the same program as a Jupyter notebook, one
part per cell (plain JSON: no notebook library needed).

Examples are rows in the script, as in the engine: X is (N, S_0), a of layer l is
(N, S_l), W of layer l is (S_l, S_{l-1}). The script computes exactly as the trainer
does (``core.fast_step.forward_into``, then ``Network.backward``), so its weights stay
bit for bit the engine's even in long, chaotic mini-batch runs (a one-ulp difference
grows to 0.01 in the cost over 8000 steps of a 16-16 ReLU net): each layer is
Wb = [W | b] and z = [a | 1] Wbᵀ; δ is per example and [dJ/dW | dJ/db] = δᵀ [a | 1] / n.
Its comments name the equations as docs/derivation.md does.

The numpy text of every activation and loss comes from the registries
(``Activation.np_fn``/``np_df``/``np_backward``, ``Loss.np_fn``/``np_grad``), each proven
to compute what the engine computes by tests/test_activations.py; the input features and
optimizers have their text here, keyed by the registries' names (a test checks that
every registered one has it).
"""
from __future__ import annotations

import json
import textwrap

import numpy as np

from .export_schedule import check_schedule, eta_line, schedule_part
from .export_stop import check_stop, keep_best, restore_best, stop_settings
from .losses import EPS
from .optimizers import OPTIMIZERS, make_optimizer

# Each feature id of core.features.FEATURES as numpy code of the raw columns x1, x2.
FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1sq": "x1 ** 2", "x2sq": "x2 ** 2", "x1x2": "x1 * x2",
                "sinx1": "np.sin(x1)", "sinx2": "np.sin(x2)"}

# The settings ``training`` may hold, with their defaults. ``init`` is accepted (a model file
# records it) but unused: the script writes the starting weights out instead of drawing them.
TRAINING_KEYS = {"optimizer": None, "learning_rate": None, "batch_size": None, "l1": 0.0, "l2": 0.0, "seed": 0,
                 "init": None, "schedule": None, "stopped": None}


def python_script(net, pipeline, training: dict, epochs: int, print_every: int, csv_name: str) -> str:
    """The script's text: train ``net`` from its current weights for ``epochs`` epochs.

    net: a ``core.Network`` holding the *starting* weights (a freshly built one, or the
    state Reset returns to). pipeline: the ``core.pipeline.InputPipeline`` it was trained
    behind. training: optimizer, learning_rate, batch_size (as ``Trainer.batch_size``
    holds it: None for the full batch), l1, l2, seed (the shuffling seed) and schedule (a
    ``core.schedules.Schedule`` or its dict; None: constant η) and stopped (where and why the
    run stopped: a ``core.stopping.StopRecord`` or its dict, ending at ``epochs``; or None).
    csv_name: the exported data file the script reads (next to it, or its first argument).
    Raises ValueError for a setting the script cannot reproduce.
    """
    about, parts = _parts(net, pipeline, training, epochs, print_every, csv_name, notebook=False)
    doc = '"""' + about + f"\n\n    python this_script.py [{csv_name}]\n" + '"""\n'
    return doc + "\n\n\n".join(parts) + "\n"


def python_notebook(net, pipeline, training: dict, epochs: int, print_every: int, csv_name: str) -> str:
    """The same as a Jupyter notebook (nbformat 4 JSON text): one cell per part of the
    script, reading ``csv_name`` from the notebook's folder. Arguments as ``python_script``.

    Written with the standard ``json`` module: the format is a small JSON document, so a
    notebook library would add a dependency and nothing else.
    """
    about, parts = _parts(net, pipeline, training, epochs, print_every, csv_name, notebook=True)
    cells = [{"cell_type": "markdown", "metadata": {}, "source": _lines(about)}]
    cells += [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": _lines(p)}
              for p in parts]
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                       "language_info": {"name": "python"}}}
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i}"
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _lines(text: str) -> list[str]:
    """A cell's source as the list of lines (each with its newline but the last) nbformat keeps."""
    return text.rstrip("\n").splitlines(keepends=True)


def _parts(net, pipeline, training, epochs, print_every, csv_name, notebook):
    """(what the program does, [its parts as code]) after checking every argument."""
    t = _check_training(training)
    epochs, print_every = _whole(epochs, "epochs", 1), _whole(print_every, "print_every", 1)
    t["stopped"] = check_stop(t["stopped"], epochs)
    if len(pipeline.features) != net.n_inputs:
        raise ValueError(f"the pipeline makes {len(pipeline.features)} inputs but the network takes {net.n_inputs}")
    missing = [f for f in pipeline.features if f not in FEATURE_CODE]
    if missing:
        raise ValueError(f"no script code for the input feature(s) {', '.join(missing)}")
    if net.dtype != np.float64:
        raise ValueError(f"the script trains in float64; this network is {net.dtype}")
    acts = [layer.activation for layer in net.layers]
    parts = [
        _imports(notebook),
        _data(net, pipeline, csv_name, notebook),
        _functions(net, acts),
        _weights(net),
        _settings(t, epochs, print_every),
        *([schedule_part(t["schedule"])] if t["schedule"] else []),
        *([stop_settings(t["stopped"])] if t["stopped"] else []),
        _passes(net, t),
        _optimizer(t["optimizer"]),
        _loop(t),
    ]
    return _about(net, t), [p.strip("\n") for p in parts]


# ---- checks ---------------------------------------------------------------------------
def _check_training(training: dict) -> dict:
    unknown = sorted(set(training) - set(TRAINING_KEYS))
    if unknown:
        raise ValueError(f"unknown training setting(s) {', '.join(unknown)}; valid: {', '.join(TRAINING_KEYS)}")
    t = {**TRAINING_KEYS, **training}
    if t["optimizer"] not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {t['optimizer']!r}; choose one of {', '.join(OPTIMIZERS)}")
    eta = t["learning_rate"]
    if not isinstance(eta, (int, float)) or isinstance(eta, bool) or not np.isfinite(eta) or eta <= 0:
        raise ValueError(f"learning rate must be a positive number, got {eta!r}")
    if t["batch_size"] is not None:
        _whole(t["batch_size"], "batch size", 1)
    for key in ("l1", "l2"):
        if not isinstance(t[key], (int, float)) or isinstance(t[key], bool) or not t[key] >= 0:
            raise ValueError(f"{key} must be a number >= 0, got {t[key]!r}")
    _whole(t["seed"], "seed", 0)
    t["schedule"] = check_schedule(t["schedule"])       # None for a constant η
    return t


def _whole(v, what, low):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
        raise ValueError(f"{what} must be a whole number >= {low}, got {v!r}")
    return int(v)


def _code(obj, field, kind):
    text = getattr(obj, field, "")
    if not text:
        raise ValueError(f"the {kind} {obj.name!r} has no numpy text ({field}) for the exported script")
    return text


# ---- the script, part by part ---------------------------------------------------------
def _about(net, t) -> str:
    sizes = "-".join(str(s) for s in net.sizes)
    acts = ", ".join(layer.activation.name for layer in net.layers)
    batch = "the full batch" if t["batch_size"] is None else f"mini-batches of {t['batch_size']}"
    if t["schedule"]:
        batch += f", η following the {t['schedule'].name} schedule"
    return f"""\
Backprop Explorer, exported: a {sizes} network ({acts}) trained with
{net.loss.name}, {t["optimizer"]}, learning rate {t["learning_rate"]!r} and {batch}, from the app's
starting weights. It prints the same costs as the app, epoch by epoch.

Examples are rows: X is (N, S_0) and a^(l) is (N, S_l). W^(l) is (S_l, S_(l-1)) as in the
derivation, so z = W a + b is written a @ W.T + b here. The comments name the equations
(F1), (B2), ... as docs/derivation.md in Backprop Explorer's repository derives them."""


def _imports(notebook: bool) -> str:
    return ("import csv\nfrom pathlib import Path\n\nimport numpy as np" if notebook else
            "import csv\nimport sys\nfrom pathlib import Path\n\nimport numpy as np")


def _data(net, pipeline, csv_name, notebook):
    y_col = "label" if net.is_classifier else "target"
    cols = ", ".join(FEATURE_CODE[f] for f in pipeline.features)
    lines = [
        "# ---- data: the training rows of the exported CSV ----",
        f"path = Path({csv_name!r})   # next to this notebook" if notebook else
        f"path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name({csv_name!r})",
        'with open(path, newline="") as f:',
        '    rows = [r for r in csv.DictReader(f) if r["split"] == "train"]',
        'x1 = np.array([float(r["x1"]) for r in rows])',
        'x2 = np.array([float(r["x2"]) for r in rows])',
        f"X = np.column_stack([{cols}])   # the input features, one column each",
    ]
    if pipeline.mean is not None:
        lines += [f"MEAN = np.array({_floats(pipeline.mean)})",
                  f"SCALE = np.array({_floats(pipeline.scale)})",
                  "X = (X - MEAN) / SCALE   # standardised with the training set's mean and scale"]
    K = net.layers[-1].size
    if not net.is_classifier:
        lines.append(f'T = np.array([float(r["{y_col}"]) for r in rows]).reshape(-1, 1)   # t: the target')
    elif K == 1:
        lines.append(f'T = np.array([float(r["{y_col}"]) for r in rows]).reshape(-1, 1)   # t: 1 or 0, the class')
    else:
        lines.append(f'T = np.eye({K})[[int(r["{y_col}"]) for r in rows]]   # t: one-hot, 1 in its class\'s column')
    lines.append("N = len(X)")
    return "\n".join(lines)


def _functions(net, acts):
    hidden = set(acts[:-1])
    out = ["# ---- activations σ(z) and the derivatives σ'(z) the backward pass needs (a = σ(z)) ----"]
    for act in dict.fromkeys(acts):              # each activation once, in layer order
        out += [f"def {act.name}(z):", f"    return {_code(act, 'np_fn', 'activation')}", "", ""]
        output_needs = act is acts[-1] and not net.fused
        if not act.elementwise and output_needs:
            out += [f"def {act.name}_backward(z, a, Delta):",
                    f"    # {act.name} couples a row's units (B1s):",
                    "    # δ_k = Σ_j Δ_j a_j (1[j=k] − a_k) = a_k (Δ_k − Σ_j Δ_j a_j)",
                    f"    return {_code(act, 'np_backward', 'activation')}", "", ""]
        elif act in hidden or output_needs:
            out += [f"def {act.name}_prime(z, a):", f"    return {_code(act, 'np_df', 'activation')}", "", ""]
    loss = net.loss
    out.append("# ---- (C1) the cost J: the mean of the loss L(a, t) over the rows ----")
    J, grad = _code(loss, "np_fn", "loss"), "" if net.fused else _code(loss, "np_grad", "loss")
    if "EPS" in J + grad:
        out.append(f"EPS = {EPS!r}   # a probability is kept at least this far from 0 before log or division")
    out += (["", ""] if "EPS" in J + grad else []) + ["def cost(a, t):", f"    return {J}"]
    if not net.fused:
        out += ["", "", "def loss_grad(a, t):   # Δ^(L) = ∂L/∂a, one row per example",
                f"    return {grad}"]
    return "\n".join(out)


def _weights(net):
    out = ["# ---- the network: the app's starting weights; row j of W^(l) feeds unit j of layer l ----", "W = ["]
    for l, layer in enumerate(net.layers, start=1):
        rows = [textwrap.fill(_floats(row), 100, subsequent_indent=" " * 15) for row in layer.W]
        out += [f"    # W^({l}): {layer.W.shape[0]} × {layer.W.shape[1]}",
                "    np.array([" + (",\n" + " " * 14).join(rows) + "]),"]
    out += ["]", "b = ["]
    for l, layer in enumerate(net.layers, start=1):
        values = f"np.zeros({layer.size})" if not np.any(layer.b) else \
            "np.array(" + textwrap.fill(_floats(layer.b), 100, subsequent_indent=" " * 14) + ")"
        out.append(f"    {values},   # b^({l})")
    hidden = [layer.activation.name for layer in net.layers[:-1]]
    out += ["]",
            "# As in the app, each layer is kept as one array Wb = [W | b]: b is the weight of an extra",
            "# input that is always 1, so [a | 1] Wbᵀ = W a + b is one product, and one more gives",
            "# [dJ/dW | dJ/db]. W and b stay views into Wb: they follow every update.",
            "Wb = [np.column_stack([W_l, b_l]) for W_l, b_l in zip(W, b)]",
            "W, b = [p[:, :-1] for p in Wb], [p[:, -1] for p in Wb]",
            f"ACT = [{', '.join(layer.activation.name for layer in net.layers)}]   # σ_l of each layer",
            f"ACT_PRIME = [{', '.join(f'{n}_prime' for n in hidden)}]   # σ_l' of the hidden layers"]
    return "\n".join(out)


def _settings(t, epochs, print_every):
    eta = (f"BASE_ETA = {float(t['learning_rate'])!r}   # η, the learning rate the schedule multiplies"
           if t["schedule"] else f"ETA = {float(t['learning_rate'])!r}   # η, the learning rate")
    lines = ["# ---- training settings, as in the app ----", eta,
             f"EPOCHS, PRINT_EVERY = {epochs}, {print_every}"]
    if t["batch_size"] is not None:
        lines.append(f"BATCH_SIZE, SEED = {int(t['batch_size'])}, {int(t['seed'])}")
    if t["l1"] or t["l2"]:
        lines.append(f"L1, L2 = {float(t['l1'])!r}, {float(t['l2'])!r}   # penalties L1·Σ|W| + (L2/2)·ΣW²")
    return "\n".join(lines)


_FORWARD = '''\
# ---- the forward pass ----
def with_ones(a):
    """[a | 1]: a beside a column of ones, the input the biases multiply."""
    return np.hstack([a, np.ones((len(a), 1))])


def forward(X1):
    """z^(l) and a^(l) of every layer. X1 = [x | 1]; A[l] is [a^(l) | 1] below the output."""
    Z, A = [], [X1]
    for l in range(len(Wb)):
        Z.append(A[l] @ Wb[l].T)                # (F1) z^(l) = W^(l) a^(l-1) + b^(l)
        a = ACT[l](Z[l])                        # (F2) a^(l) = σ_l(z^(l))
        A.append(with_ones(a) if l < len(Wb) - 1 else a)
    return Z, A'''

_BACKWARD_HEAD = '''\
# ---- the backward pass ----
def backward(Z, A, T):
    """[dJ/dW^(l) | dJ/db^(l)] of every layer, from the output back; T is (n, S_L)."""
    n = len(T)
    grads = [None] * len(Wb)'''

_BACKWARD_LOOP = '''\
    for l in range(len(Wb) - 1, -1, -1):
        grads[l] = delta.T @ A[l] / n           # (B3, B4) [dJ/dW | dJ/db] = mean of δ^(l) [a^(l-1) | 1]ᵀ'''

_BACKWARD_TAIL = '''\
        if l > 0:
            Delta = delta @ W[l]                                    # (B2) Δ^(l-1) = W^(l)ᵀ δ^(l)
            delta = Delta * ACT_PRIME[l - 1](Z[l - 1], A[l][:, :-1])  # (B2) δ^(l-1) = Δ^(l-1) ⊙ σ'(z^(l-1))
    return grads'''


def _passes(net, t):
    out = [_FORWARD, ""]
    if t["l1"] or t["l2"]:
        out += ["", "def penalty():", '    """L1·Σ|W| + (L2/2)·ΣW² over every W (not the biases)."""',
                "    p = 0.0", "    for Wl in W:"]
        if t["l1"]:
            out.append("        p += L1 * np.abs(Wl).sum()")
        if t["l2"]:
            out.append("        p += 0.5 * L2 * np.sum(Wl * Wl)")
        out += ["    return p", ""]
    out += ["", _BACKWARD_HEAD]
    out_act = net.layers[-1].activation
    if net.fused:
        out += [f"    # (B1f) δ^(L) = a − t: with {out_act.name} and {net.loss.name}, σ'(z) cancels ∂L/∂a's "
                "denominator.", "    delta = A[-1] - T"]
    else:
        out.append("    Delta = loss_grad(A[-1], T)   # (B1) Δ^(L) = ∂L/∂a^(L)")
        if not out_act.elementwise:
            out += [f"    # (B1s) δ^(L) = (∂a/∂z)ᵀ Δ^(L), the {out_act.name} Jacobian applied row by row.",
                    f"    delta = {out_act.name}_backward(Z[-1], A[-1], Delta)"]
        else:
            out += ["    # (B1) δ^(L) = Δ^(L) ⊙ σ'(z^(L))",
                    f"    delta = Delta * {out_act.name}_prime(Z[-1], A[-1])"]
    out.append(_BACKWARD_LOOP)
    if t["l1"]:
        out.append("        grads[l][:, :-1] += L1 * np.sign(W[l])   # (P) the L1 penalty's gradient, L1 sign(W)")
    if t["l2"]:
        out.append("        grads[l][:, :-1] += L2 * W[l]            # (P) the L2 penalty's gradient, L2 W")
    out.append(_BACKWARD_TAIL)
    return "\n".join(out)


def _optimizer(name):
    opt = make_optimizer(name, [])            # its constants (β, ε) as the engine sets them
    head = "# ---- the update: θ is each layer's [W | b], g its gradient ----\n"
    if name == "sgd":
        return head + '''\
def update(grads):
    for theta, g in zip(Wb, grads):
        theta -= ETA * g                             # (U1) θ ← θ − η g'''
    if name == "momentum":
        return head + f'''\
BETA = {opt.beta!r}
velocity = [np.zeros_like(theta) for theta in Wb]


def update(grads):
    for theta, g, v in zip(Wb, grads, velocity):
        v[:] = BETA * v - ETA * g                    # v ← β v − η g
        theta += v                                   # θ ← θ + v'''
    if name == "adam":
        return head + f'''\
BETA1, BETA2, EPS_ADAM = {opt.beta1!r}, {opt.beta2!r}, {opt.eps!r}
m = [np.zeros_like(theta) for theta in Wb]   # running mean of g
s = [np.zeros_like(theta) for theta in Wb]   # running mean of g²
steps = 0


def update(grads):
    global steps
    steps += 1
    # Both bias corrections folded into one step size (Kingma & Ba, end of section 2).
    eta_t = ETA * np.sqrt(1.0 - BETA2 ** steps) / (1.0 - BETA1 ** steps)
    for theta, g, m_i, s_i in zip(Wb, grads, m, s):
        m_i[:] = BETA1 * m_i + (1.0 - BETA1) * g          # m ← β1 m + (1 − β1) g
        s_i[:] = BETA2 * s_i + (1.0 - BETA2) * (g * g)    # s ← β2 s + (1 − β2) g²
        theta -= eta_t * m_i / (np.sqrt(s_i) + EPS_ADAM)  # θ ← θ − η_t m / (√s + ε)'''
    raise ValueError(f"no script code for the optimizer {name!r}; add it to core/export_script.py")


def _loop(t):
    restored = t["stopped"] is not None and t["stopped"].restored
    J = "cost(forward(with_ones(X))[1][-1], T)" + (" + penalty()" if t["l1"] or t["l2"] else "")
    return _epochs(t, restored) + ("\n" + restore_best(J) if restored else "")


def _epochs(t, restored):
    J = "cost(forward(X1)[1][-1], T)" + (" + penalty()" if t["l1"] or t["l2"] else "")
    show = f'''\
    if epoch % PRINT_EVERY == 0 or epoch == 1 or epoch == EPOCHS:
        J = {J}   # J after this epoch's updates, as the app records it
        print(f"epoch {{epoch:6d}}   cost {{J:.12f}}")'''
    if restored:
        show += "\n" + keep_best()
    full = t["batch_size"] is None
    eta = (eta_line(full) + "\n" if t["schedule"] else "") + ("    " if full else "        ")
    if full:
        return f'''\
# ---- training: each epoch is one step on the whole training set ----
X1 = with_ones(X)
for epoch in range(1, EPOCHS + 1):
    Z, A = forward(X1)
{eta}update(backward(Z, A, T))
{show}'''
    return f'''\
# ---- training: each epoch shuffles the rows, then steps once per mini-batch ----
X1 = with_ones(X)
rng = np.random.default_rng(SEED)
for epoch in range(1, EPOCHS + 1):
    order = rng.permutation(N)                   # a new order every epoch
    for start in range(0, N, BATCH_SIZE):
        batch = order[start:start + BATCH_SIZE]  # the last batch may be smaller
        Z, A = forward(X1[batch])
{eta}update(backward(Z, A, T[batch]))
{show}'''


def _floats(values) -> str:
    """[v, ...] with every float in repr (the shortest text that reads back exactly)."""
    return "[" + ", ".join(repr(float(v)) for v in np.asarray(values).reshape(-1)) + "]"
