/* Causal chain explorer: draws the causal network (Cytoscape.js + dagre), highlights the chains,
   shows a step's evidence and explanation, applies filters, keeps the selection in the URL.
   Data is printed with textContent only, never as HTML. */
(function () {
  "use strict";
  var dataEl = document.getElementById("explorer-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var edgesById = {};
  data.elements.edges.forEach(function (e) { edgesById[e.data.id] = e.data; });
  var params = new URLSearchParams(window.location.search);
  var hidden = new Set((params.get("hide") || "").split(",").filter(Boolean));
  var selectedEdge = params.get("edge") || "";
  var selectedChain = params.has("chain") ? parseInt(params.get("chain"), 10) : -1;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function link(href, text) { return href ? el("a", { href: href }, text) : el("span", {}, text); }

  function saveUrl() {
    var p = new URLSearchParams(window.location.search);
    p.set("from", data.state.from);
    p.set("to", data.state.to);
    if (hidden.size) p.set("hide", Array.from(hidden).sort().join(",")); else p.delete("hide");
    if (selectedEdge) p.set("edge", selectedEdge); else p.delete("edge");
    if (selectedChain >= 0) p.set("chain", String(selectedChain)); else p.delete("chain");
    window.history.replaceState(null, "", window.location.pathname + "?" + p.toString());
  }

  /* ----- the graph ----- */
  var cy = null;
  var graphBox = document.getElementById("graph");
  if (window.cytoscape && window.cytoscapeDagre && graphBox) {
    window.cytoscape.use(window.cytoscapeDagre);
    var elements = data.elements.nodes.concat(data.elements.edges).map(function (e) {
      return { data: Object.assign({}, e.data) };
    });
    var colours = { cramp: "#b3261e", medication: "#6b4fa0", substance: "#1f6f8b", intake: "#2f7d4f",
      deficiency: "#a05a00", symptom: "#9c2f6b", condition: "#5f6b7a", process: "#3d7a8a", other: "#5f6b7a" };
    cy = window.cytoscape({
      container: graphBox,
      elements: elements,
      minZoom: 0.2, maxZoom: 3,
      boxSelectionEnabled: false,
      autoungrabify: true,
      style: [
        { selector: "node", style: {
          "shape": "round-rectangle", "width": 150, "height": 46, "background-color": "#fff",
          "border-width": 2, "border-color": function (n) { return colours[n.data("kind")] || "#5f6b7a"; },
          "label": "data(label)", "text-wrap": "wrap", "text-max-width": 138, "font-size": 12,
          "text-valign": "center", "text-halign": "center", "color": "#1b1f24",
          "font-family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif" } },
        { selector: "node[kind = 'cramp']", style: { "background-color": "#fde7e5", "border-width": 3, "font-weight": "bold" } },
        { selector: "edge", style: {
          "width": 2, "line-color": "#9aa4b1", "target-arrow-color": "#9aa4b1", "target-arrow-shape": "triangle",
          "curve-style": "bezier", "arrow-scale": 1.1 } },
        { selector: "edge[!asserted]", style: { "line-style": "dashed", "line-color": "#c27c0e", "target-arrow-color": "#c27c0e" } },
        { selector: ".faded", style: { "opacity": 0.25 } },
        { selector: "edge.inchain", style: { "width": 4, "line-color": "#1a5fb4", "target-arrow-color": "#1a5fb4", "opacity": 1 } },
        { selector: "edge.inchain[!asserted]", style: { "line-color": "#e08a00", "target-arrow-color": "#e08a00" } },
        { selector: "node.inchain", style: { "opacity": 1, "background-color": "#eef4fc" } },
        { selector: "node.inchain[kind = 'cramp']", style: { "background-color": "#fde7e5" } },
        { selector: "edge.chosen", style: { "width": 6, "line-color": "#111", "target-arrow-color": "#111", "label": "data(relation_label)",
          "font-size": 11, "text-background-color": "#fff", "text-background-opacity": 1, "text-background-padding": 2 } },
        { selector: ".filtered", style: { "display": "none" } }
      ],
      layout: { name: "dagre", rankDir: "TB", nodeSep: 24, rankSep: 56, edgeSep: 10, fit: true, padding: 16 }
    });
    cy.on("tap", "edge", function (evt) { select(evt.target.id(), true); });
    cy.on("tap", "node", function (evt) { showNode(evt.target.data()); });
    window.addEventListener("resize", function () { cy.resize(); });
    window.crampkgGraph = cy; // for tests and the curious
  }

  /* ----- chains ----- */
  function visibleChain(i) {
    return data.chains[i].every(function (id) {
      var d = edgesById[id];
      return d && !hidden.has(d.relation_key) && !hidden.has(d.asserted ? "asserted" : "inferred");
    });
  }

  function highlight() {
    var ids = new Set();
    data.chains.forEach(function (chain, i) {
      if (!visibleChain(i)) return;
      if (selectedChain >= 0 && i !== selectedChain) return;
      chain.forEach(function (id) { ids.add(id); });
    });
    document.querySelectorAll(".chain").forEach(function (li) {
      var i = parseInt(li.getAttribute("data-chain"), 10);
      li.hidden = !visibleChain(i);
      li.classList.toggle("chosen", i === selectedChain);
      var b = li.querySelector(".chain-btn");
      if (b) b.setAttribute("aria-pressed", i === selectedChain ? "true" : "false");
    });
    var shown = data.chains.filter(function (_, i) { return visibleChain(i); }).length;
    var note = document.getElementById("hidden-note");
    if (note) {
      note.hidden = shown === data.chains.length;
      note.textContent = (data.chains.length - shown) + " of " + data.chains.length + " chains hidden by the filters.";
    }
    document.querySelectorAll(".step").forEach(function (li) {
      li.classList.toggle("chosen", li.getAttribute("data-edge") === selectedEdge);
    });
    if (!cy) return;
    cy.batch(function () {
      cy.elements().removeClass("inchain faded chosen filtered");
      cy.edges().forEach(function (e) {
        var d = e.data();
        if (hidden.has(d.relation_key) || hidden.has(d.asserted ? "asserted" : "inferred")) e.addClass("filtered");
      });
      if (ids.size) {
        cy.elements().addClass("faded");
        ids.forEach(function (id) {
          var e = cy.getElementById(id);
          if (e.nonempty()) { e.removeClass("faded").addClass("inchain"); e.connectedNodes().removeClass("faded").addClass("inchain"); }
        });
      }
      if (selectedEdge) {
        var chosen = cy.getElementById(selectedEdge);
        if (chosen.nonempty()) chosen.removeClass("faded").addClass("chosen");
      }
    });
  }

  /* ----- details ----- */
  var detail = document.getElementById("detail");

  function evidenceList(items) {
    var box = el("div", { "class": "evidence" });
    items.forEach(function (e) {
      var q = el("blockquote", { "class": "quote" });
      q.appendChild(el("p", {}, "\u201c" + e.quote + "\u201d"));
      var f = el("footer");
      f.appendChild(el("a", { href: e.href }, "read it in the article"));
      f.appendChild(el("span", { "class": "muted" }, " (characters " + e.start + "\u2013" + e.end + ")"));
      q.appendChild(f);
      box.appendChild(q);
    });
    return box;
  }

  function badge(asserted) {
    return el("span", { "class": "badge " + (asserted ? "asserted" : "inferred") }, asserted ? "asserted" : "inferred");
  }

  function show(d) {
    detail.textContent = "";
    detail.appendChild(el("h2", {}, "Step details"));
    var t = el("p", { "class": "triple big" });
    t.appendChild(link(d.from_href, d.from_label));
    t.appendChild(document.createTextNode(" "));
    t.appendChild(el("em", { "class": "rel" }, d.relation_label + " \u2192"));
    t.appendChild(document.createTextNode(" "));
    t.appendChild(link(d.to_href, d.to_label));
    t.appendChild(document.createTextNode(" "));
    t.appendChild(badge(d.asserted));
    detail.appendChild(t);
    if (d.evidence.length) {
      detail.appendChild(el("h3", {}, "What the article says"));
      detail.appendChild(evidenceList(d.evidence));
    }
    if (!d.asserted && d.explanation) {
      var x = el("div", { "class": "explanation" });
      var p = el("p");
      p.appendChild(el("strong", {}, "Why it is inferred: "));
      p.appendChild(document.createTextNode(d.explanation.rule_text));
      x.appendChild(p);
      var ol = el("ol", { "class": "because" });
      d.explanation.because.forEach(function (f) {
        var li = el("li");
        var tr = el("span", { "class": "triple" });
        tr.appendChild(link(f.subject_href, f.subject_label));
        tr.appendChild(document.createTextNode(" "));
        tr.appendChild(el("em", {}, f.predicate_label));
        tr.appendChild(document.createTextNode(" "));
        tr.appendChild(link(f.object_href, f.object_label));
        li.appendChild(tr);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(badge(f.asserted));
        if (f.evidence.length) li.appendChild(evidenceList(f.evidence));
        ol.appendChild(li);
      });
      x.appendChild(ol);
      detail.appendChild(x);
    } else if (!d.asserted) {
      detail.appendChild(el("p", { "class": "muted" }, "Inferred by the OWL 2 RL closure."));
    }
  }

  /* ----- where the drawing goes on beyond the panel: a cue on each such edge, which pans that way ----- */
  var cues = Array.prototype.slice.call(document.querySelectorAll(".pan-cue"));
  var PAN = { left: [1, 0], right: [-1, 0], up: [0, 1], down: [0, -1] };

  function beyond() {
    var box = cy.nodes(":visible").renderedBoundingBox(), w = cy.width(), h = cy.height(), m = 2;
    return { left: box.x1 < -m, right: box.x2 > w + m, up: box.y1 < -m, down: box.y2 > h + m };
  }
  function updateCues() {
    if (!cy) return;
    var more = beyond();
    cues.forEach(function (b) { b.hidden = !more[b.getAttribute("data-side")]; });
  }
  if (cy) {
    cues.forEach(function (b) {
      b.addEventListener("click", function () {
        var d = PAN[b.getAttribute("data-side")];
        cy.stop();
        cy.animate({ panBy: { x: d[0] * cy.width() * 0.6, y: d[1] * cy.height() * 0.6 } }, { duration: 200 });
      });
    });
    cy.on("viewport", updateCues);
    cy.on("resize", updateCues);
  }

  function fitChains() {
    if (!cy) return;
    var chosen = cy.elements(".inchain");
    cy.animate({ fit: { eles: chosen.nonempty() ? chosen : cy.elements(":visible"), padding: 24 } }, { duration: 200 });
  }
  var fitAll = document.getElementById("fit-all"), fitChain = document.getElementById("fit-chains");
  if (cy && fitAll && fitChain) {
    fitAll.hidden = false;
    fitChain.hidden = false;
    fitAll.addEventListener("click", function () { cy.animate({ fit: { eles: cy.elements(":visible"), padding: 16 } }, { duration: 200 }); });
    fitChain.addEventListener("click", fitChains);
  }

  function select(id, fromGraph) {
    var d = edgesById[id];
    if (!d) return;
    selectedEdge = id;
    show(d);
    highlight();
    saveUrl();
    if (fromGraph && window.matchMedia("(max-width: 900px)").matches) detail.focus();
  }

  function showNode(d) {
    detail.textContent = "";
    detail.appendChild(el("h2", {}, d.label));
    var p = el("p");
    p.appendChild(el("a", { href: d.href }, "Open the page of " + d.label));
    detail.appendChild(p);
    var here = new URLSearchParams({ from: d.label, to: data.state.to });
    var p2 = el("p");
    p2.appendChild(el("a", { href: "/?" + here.toString() }, "Chains from " + d.label));
    detail.appendChild(p2);
  }

  document.querySelectorAll(".step-btn").forEach(function (b) {
    b.addEventListener("click", function () { select(b.getAttribute("data-edge"), false); });
  });
  document.querySelectorAll(".chain-btn").forEach(function (b) {
    b.addEventListener("click", function () {
      var i = parseInt(b.getAttribute("data-chain"), 10);
      selectedChain = selectedChain === i ? -1 : i;
      highlight();
      fitChains();
      saveUrl();
    });
  });

  /* ----- filters ----- */
  var filters = document.getElementById("filters");
  if (filters) {
    filters.hidden = false;
    filters.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = !hidden.has(box.value);
      box.addEventListener("change", function () {
        if (box.checked) hidden.delete(box.value); else hidden.add(box.value);
        highlight();
        saveUrl();
      });
    });
  }
  var swap = document.getElementById("swap");
  if (swap) {
    swap.hidden = false;
    swap.addEventListener("click", function () {
      var a = document.getElementById("from"), b = document.getElementById("to");
      var t = a.value; a.value = b.value; b.value = t;
      document.getElementById("pick").submit();
    });
  }

  highlight();
  if (cy && cy.elements(".inchain").nonempty()) cy.fit(cy.elements(".inchain"), 24);
  updateCues();
  if (selectedEdge && edgesById[selectedEdge]) select(selectedEdge, false);
  saveUrl();
}());
