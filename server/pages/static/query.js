/* Query page: the canned-query catalogue from /api/queries (descriptions, parameter forms, SPARQL),
   an editor that runs on /sparql, a results table with labels, downloads in every /sparql format.
   Everything the server returns is printed with textContent, never as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("query-data").textContent);
  var labels = data.labels || {};
  var sourceByName = {};
  (data.sources || []).forEach(function (s) { sourceByName[s.name] = s.text; });
  var editor = document.getElementById("sparql");
  var form = document.getElementById("query-form");
  var statusEl = document.getElementById("status");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var cannedList = document.getElementById("canned");
  var cannedStatus = document.getElementById("canned-status");
  var paramBox = document.getElementById("param-box");
  var paramsEl = document.getElementById("params");
  var current = null;      // the canned query chosen, while the editor still holds its text
  var lastRequest = null;  // how to fetch the last results again in another format

  var SELECT_FORMATS = [["JSON", "application/sparql-results+json", "json"], ["XML", "application/sparql-results+xml", "xml"],
    ["CSV", "text/csv", "csv"], ["TSV", "text/tab-separated-values", "tsv"]];
  var GRAPH_FORMATS = [["Turtle", "text/turtle", "ttl"], ["N-Triples", "application/n-triples", "nt"],
    ["JSON-LD", "application/ld+json", "jsonld"], ["RDF/XML", "application/rdf+xml", "rdf"],
    ["N-Quads", "application/n-quads", "nq"], ["TriG", "application/trig", "trig"]];
  var LOCAL = [["https://w3id.org/crampkg/id/", "/id/"], ["https://w3id.org/crampkg/ontology#", "/ontology/"]];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("error", !!isError);
  }

  /* ----- the catalogue: tolerant of a list, {queries: [...]} or {name: {...}} ----- */
  function normalise(listing) {
    var items = Array.isArray(listing) ? listing : (Array.isArray(listing.queries) ? listing.queries : null);
    if (!items) {
      var src = listing.queries && typeof listing.queries === "object" ? listing.queries : listing;
      items = Object.keys(src).map(function (k) { return Object.assign({ name: k }, src[k]); });
    }
    return items.map(function (q) {
      var params = q.parameters || q.params || [];
      if (!Array.isArray(params)) {
        params = Object.keys(params).map(function (k) {
          var v = params[k];
          return typeof v === "object" && v !== null ? Object.assign({ name: k }, v) : { name: k, type: String(v) };
        });
      }
      var name = q.name || q.id || q.slug;
      return {
        name: name,
        title: q.title || q.label || name,
        description: q.description || "",
        answers: q.answers || "",
        form: (q.form || "").toUpperCase(),
        url: q.url || "/api/queries/" + encodeURIComponent(name),
        parameters: params.map(function (p) {
          return { name: p.name, type: p.type || "", description: p.description || p.label || "",
            value: p["default"] !== undefined && p["default"] !== null ? String(p["default"]) :
              (p.example !== undefined && p.example !== null ? String(p.example) : "") };
        }),
        sparql: q.sparql || q.query || q.text || q.source || sourceByName[name] || ""
      };
    }).filter(function (q) { return q.name; });
  }

  function choose(q, button) {
    current = q;
    cannedList.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    if (button) button.setAttribute("aria-pressed", "true");
    editor.value = q.sparql;
    paramsEl.textContent = "";
    document.getElementById("param-title").textContent = q.title;
    document.getElementById("param-desc").textContent = q.description;
    q.parameters.forEach(function (p) {
      var label = el("label", { "for": "param-" + p.name });
      label.appendChild(document.createTextNode(p.name));
      var hint = [p.type, p.description].filter(Boolean).join(" \u2014 ");
      if (hint) label.appendChild(el("span", { "class": "hint" }, hint));
      var input = el("input", { id: "param-" + p.name, name: p.name, type: "text", "data-param": p.name });
      input.value = p.value;
      label.appendChild(input);
      paramsEl.appendChild(label);
    });
    paramBox.hidden = false;
    var url = new URL(window.location.href);
    url.searchParams.set("q", q.name);
    window.history.replaceState(null, "", url.pathname + url.search);
  }

  function renderCatalogue(queries) {
    cannedList.textContent = "";
    queries.forEach(function (q) {
      var li = el("li");
      var b = el("button", { type: "button", "aria-pressed": "false", "data-query": q.name });
      b.appendChild(el("strong", {}, q.title));
      if (q.parameters.length) b.appendChild(el("span", { "class": "desc" }, "parameters: " + q.parameters.map(function (p) { return p.name; }).join(", ")));
      if (q.description) b.appendChild(el("span", { "class": "desc" }, q.description));
      if (q.answers) b.appendChild(el("span", { "class": "desc" }, "Answers: " + q.answers));
      b.addEventListener("click", function () { choose(q, b); });
      li.appendChild(b);
      if (q.sparql) {
        var d = el("details");
        d.appendChild(el("summary", {}, "SPARQL of " + q.name));
        d.appendChild(el("pre", {}, q.sparql));
        li.appendChild(d);
      }
      cannedList.appendChild(li);
    });
    cannedStatus.textContent = queries.length + " canned queries. Choose one to load it into the editor.";
    var wanted = new URLSearchParams(window.location.search).get("q");
    queries.forEach(function (q) {
      if (q.name === wanted) choose(q, cannedList.querySelector('button[data-query="' + CSS.escape(q.name) + '"]'));
    });
  }

  fetch("/api/queries", { headers: { Accept: "application/json" } }).then(function (r) {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.json();
  }).then(function (listing) { renderCatalogue(normalise(listing)); }).catch(function (err) {
    cannedStatus.textContent = "The canned-query catalogue is not available here (" + err.message + "); you can still write SPARQL.";
    var fallback = Object.keys(sourceByName).map(function (n) {
      return { name: n, title: n, description: "", answers: "", form: "", url: "", parameters: [], sparql: sourceByName[n] };
    });
    if (fallback.length) renderCatalogue(fallback);
  });

  /* ----- running ----- */
  function queryForm(text) {
    var stripped = text.replace(/#[^\n]*/g, " ").replace(/(PREFIX|BASE)\s+[^\s]*\s*<[^>]*>/gi, " ");
    var m = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(stripped);
    return m ? m[1].toUpperCase() : "SELECT";
  }

  function buildRequest() {
    var text = editor.value;
    var graph = /CONSTRUCT|DESCRIBE/.test(queryForm(text));
    if (current && current.url && text === current.sparql) {
      if (current.form) graph = /CONSTRUCT|DESCRIBE/.test(current.form);
      var p = new URLSearchParams();
      paramsEl.querySelectorAll("input[data-param]").forEach(function (i) {
        if (i.value !== "") p.set(i.getAttribute("data-param"), i.value);
      });
      var qs = p.toString();
      return { url: current.url + (qs ? "?" + qs : ""), method: "GET", body: null, graph: graph };
    }
    return { url: "/sparql", method: "POST", body: new URLSearchParams({ query: text }), graph: graph };
  }

  function send(req, accept) {
    var init = { method: req.method, headers: { Accept: accept } };
    if (req.body) { init.body = req.body; init.headers["Content-Type"] = "application/x-www-form-urlencoded"; }
    return fetch(req.url, init).then(function (r) {
      if (!r.ok) {
        return r.text().then(function (t) {
          var msg = t;
          try { var j = JSON.parse(t); msg = j.error || j.message || t; } catch (e) { /* plain text */ }
          throw new Error(r.status + ": " + String(msg).slice(0, 400));
        });
      }
      return r;
    });
  }

  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      var iri = term.value, href = null;
      LOCAL.forEach(function (pair) { if (iri.indexOf(pair[0]) === 0 && iri.length > pair[0].length) href = pair[1] + iri.slice(pair[0].length); });
      var text = labels[iri] || iri;
      var a = el("a", { href: href || iri, title: iri }, text);
      if (!href) { a.className = "ext"; a.rel = "noopener noreferrer"; }
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      var lang = term["xml:lang"] || "";
      var extra = lang && lang !== "en" ? "@" + lang : "";
      if (extra) td.appendChild(el("span", { "class": "muted" }, " " + extra));
    }
    return td;
  }

  function showSelect(json) {
    results.textContent = "";
    if (typeof json["boolean"] === "boolean") {
      results.appendChild(el("p", { "class": "big" }, "Answer: " + (json["boolean"] ? "yes" : "no")));
      return 1;
    }
    var vars = json.head.vars || [];
    var rows = json.results.bindings || [];
    var table = el("table", { id: "results-table" });
    table.appendChild(el("caption", { "class": "muted" }, rows.length + " result" + (rows.length === 1 ? "" : "s")));
    var thead = el("thead"), tr = el("tr");
    vars.forEach(function (v) { tr.appendChild(el("th", { scope: "col" }, v)); });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (row) {
      var r = el("tr");
      vars.forEach(function (v) { r.appendChild(cell(row[v])); });
      tbody.appendChild(r);
    });
    table.appendChild(tbody);
    results.appendChild(table);
    return rows.length;
  }

  function showDownloads(req) {
    downloads.querySelectorAll("button").forEach(function (b) { b.remove(); });
    (req.graph ? GRAPH_FORMATS : SELECT_FORMATS).forEach(function (f) {
      var b = el("button", { type: "button", "class": "secondary", "data-format": f[2] }, f[0]);
      b.addEventListener("click", function () {
        send(req, f[1]).then(function (r) { return r.blob(); }).then(function (blob) {
          var a = el("a", { href: URL.createObjectURL(blob), download: "crampkg-results." + f[2] });
          document.body.appendChild(a);
          a.click();
          setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        }).catch(function (err) { setStatus("Download failed: " + err.message, true); });
      });
      downloads.appendChild(b);
    });
    downloads.hidden = false;
  }

  function run() {
    var req = buildRequest();
    lastRequest = req;
    setStatus("Running\u2026");
    document.getElementById("run").disabled = true;
    var started = performance.now();
    var accept = req.graph ? "text/turtle" : "application/sparql-results+json";
    send(req, accept).then(function (r) {
      var ms = Math.round(performance.now() - started);
      if (req.graph) {
        return r.text().then(function (t) {
          results.textContent = "";
          results.appendChild(el("pre", { id: "results-graph" }, t));
          setStatus("Done in " + ms + " ms.");
        });
      }
      return r.json().then(function (json) {
        var n = showSelect(json);
        var note = r.headers.get("X-Truncated") || r.headers.get("X-Result-Truncated");
        setStatus(n + " result" + (n === 1 ? "" : "s") + " in " + ms + " ms." + (note ? " Truncated." : ""));
      });
    }).then(function () { showDownloads(req); }).catch(function (err) {
      results.textContent = "";
      downloads.hidden = true;
      setStatus("The query failed: " + err.message, true);
    }).then(function () { document.getElementById("run").disabled = false; });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  editor.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  editor.addEventListener("input", function () {
    if (current && editor.value !== current.sparql) {
      paramBox.hidden = true;
      current = null;
      cannedList.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    }
  });
  window.crampkgLastRequest = function () { return lastRequest; };
}());
