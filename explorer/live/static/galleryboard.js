// The projector gallery's words: each student's caption, the leaderboard by the class's goal,
// and the one student shown large ("Show this one"). The ranking itself is the server's (the
// frames' order: explorer/rooms/goals.py); here it is only written out. Every nickname goes in
// through textContent: a name like "<b>" shows as typed.
(function (root) {
  "use strict";

  function el(tag, cls, parent, text) { return root.LiveCore.el(tag, cls, parent, text); }

  function finite(v) { return typeof v === "number" && v === v && v !== Infinity && v !== -Infinity; }

  // A student's score as the goal ranks it: test when there is one, else training (and which).
  function score(S, n) {
    var problem = n.problem || "classification", test = finite(n.test), v = test ? n.test : n.score;
    var text = !finite(v) ? "–" : problem === "classification" ? (100 * v).toFixed(1) + " %" : v.toFixed(3);
    var what = (test ? "test " : "training ") + (problem === "classification" ? "accuracy" : "R²");
    return { v: v, text: text, what: what };
  }

  // What the leaderboard shows beside a name (the goal's number).
  function goalText(S, n) {
    var s = score(S, n);
    if (S.goal === "fewest_weights" && finite(s.v) && s.v >= S.qualify) return n.nWeights + " weights · " + s.text;
    return s.text;
  }

  function caption(S, d) {
    var n = S.nets[d], e = S.cellEls[d];
    var text = n.weights ? score(S, n).text + " · ep " + n.epoch.toLocaleString("en-US") +
      (n.stopped ? " · stopped" : "") : "waiting for a first frame";
    if (text !== e.numsText) { e.nums.textContent = text; e.numsText = text; }
    if (n.name !== e.nameText) { e.name.textContent = n.name; e.nameText = n.name; }
    e.root.title = n.name + ": " + (n.weights ? score(S, n).what + ", epoch " + n.epoch.toLocaleString("en-US") : "no frame yet");
    e.root.classList.toggle("waiting", !n.weights);
  }

  // The leaderboard: as many rows as fit in ``room`` px.
  function board(S, box, room) {
    box.innerHTML = "";
    var head = el("h3", "", box, "Leaderboard · " + S.goalText);
    var ol = el("ol", "", box), rowH = 27, fit = Math.max(3, Math.floor((room - head.offsetHeight - 40) / rowH));
    S.order.slice(0, fit).forEach(function (d) {
      var n = S.nets[d], li = el("li", "", ol);
      el("span", "", li, n.weights ? goalText(S, n) : "–");
      li.appendChild(document.createTextNode(n.name));
      li.title = n.name + ": " + score(S, n).what;
      if (S.goal === "fewest_weights" && !(score(S, n).v >= S.qualify)) li.classList.add("below");
    });
    if (S.order.length > fit) el("div", "gpage", box, "… and " + (S.order.length - fit) + " more");
  }

  function describe(n) {
    var parts = [String(n.sizes[0]) + " inputs"];
    for (var l = 1; l < n.sizes.length; l++) parts.push(n.sizes[l] + " " + n.activations[l - 1]);
    return parts.join(" → ");
  }

  // One student large: the boundary (a finer grid than the thumbnails'), the numbers, the network
  // and the setup's link text for discussion. Built by layout; each frame repaints it (focusFrame).
  function focus(S, box, W, H) {
    var d = S.focus, n = S.nets[d];
    box.innerHTML = "";
    var px = Math.max(200, Math.min(Math.round(W * 0.55), H - 10));
    var F = S.big;
    if (!F || F.d !== d) {
      F = S.big = { d: d, problem: S.problem, colors: S.colors, pal: S.pal, paint: S.paint, fwd: {}, cells: [{ shown: 0, nets: [0] }],
                    data: S.data.map(function (g) {
                      return Object.assign({}, g, { layers: null, grid: { x: [g.grid.x[0], g.grid.x[1], 100],
                                                                       y: [g.grid.y[0], g.grid.y[1], 100] } });
                    }) };
    }
    var canvas = el("canvas", "thumb", box);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "Decision boundary of " + n.name + "'s network");
    var words = el("div", "", box);
    el("h2", "", words, n.name);
    F.nums = el("p", "", words);
    F.net = el("p", "", words);
    if (S.focusSetup) { el("p", "", words, "Setup: "); el("code", "", words, "?" + S.focusSetup); }
    F.cellEls = [{ root: box, canvas: canvas, ctx: canvas.getContext("2d"), px: 0 }];
    root.BPGridCells.size(F, px);
    box.style.width = "";
    focusFrame(S);
    return px;
  }

  function focusFrame(S) {
    var F = S.big, n = S.nets[S.focus];
    if (!F || !F.cellEls || !n) return;
    var s = score(S, n);
    F.nums.textContent = s.text + " " + s.what + " · epoch " + n.epoch.toLocaleString("en-US");
    F.net.textContent = n.sizes ? describe(n) + " · " + n.nWeights + " weights" : "";
    F.nets = [n];
    root.BPGridCells.paint(F, 0);
  }

  root.BPGalleryBoard = { caption: caption, board: board, focus: focus, focusFrame: focusFrame, score: score,
                          goalText: goalText, el: el };
})(typeof window !== "undefined" ? window : this);
