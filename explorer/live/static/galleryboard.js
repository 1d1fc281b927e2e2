// The projector gallery's words: each student's caption and the leaderboard by the class's goal
// ("Show this one" is galleryfocus.js's). The ranking itself is the server's (the
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

  root.BPGalleryBoard = { caption: caption, board: board, score: score, goalText: goalText, el: el };
})(typeof window !== "undefined" ? window : this);
