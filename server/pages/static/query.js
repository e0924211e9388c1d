/* Query page: Yasqe (the SPARQL editor) and Yasr (the results view) from the vendored @zazuko/yasgui bundle,
   set up so that nothing leaves this server: completion comes from /api/complete (crampkg's own prefixes,
   classes, properties and entities by label), queries go to /sparql or /api/queries/<name>, and the
   defaults that call prefix.cc, the LOV API, a URL shortener or DBpedia are switched off before the editor
   is built. Text from the server is printed with textContent, or escaped before Yasr's table renders it. */
(function () {
  "use strict";
  var Yasqe = window.Yasqe, Yasr = window.Yasr;
  var data = JSON.parse(document.getElementById("query-data").textContent);
  var labels = data.labels || {};
  var sourceByName = {};
  (data.sources || []).forEach(function (s) { sourceByName[s.name] = s.text; });
  var textarea = document.getElementById("sparql");
  var form = document.getElementById("query-form");
  var statusEl = document.getElementById("status");
  var downloads = document.getElementById("downloads");
  var shareLink = document.getElementById("share-link");
  var cannedList = document.getElementById("canned");
  var cannedBox = document.getElementById("canned-box");
  var cannedStatus = document.getElementById("canned-status");
  var card = document.getElementById("canned-card");
  var paramsEl = document.getElementById("params");
  var current = null;      // the canned query loaded in the editor
  var lastRequest = null;  // how to fetch the last results again in another format
  var prefixes = {};       // prefix -> namespace, from /api/complete?kind=prefix

  var SELECT_FORMATS = [["CSV", "text/csv", "csv"], ["TSV", "text/tab-separated-values", "tsv"],
    ["JSON", "application/sparql-results+json", "json"], ["XML", "application/sparql-results+xml", "xml"]];
  var GRAPH_FORMATS = [["Turtle", "text/turtle", "ttl"], ["N-Triples", "application/n-triples", "nt"],
    ["JSON-LD", "application/ld+json", "jsonld"], ["RDF/XML", "application/rdf+xml", "rdf"]];
  var LOCAL = data.local || [];  // [namespace, path of this server that shows its terms], from the server

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("error", !!isError);
  }
  function localPath(iri) {
    for (var i = 0; i < LOCAL.length; i++) {
      if (iri.indexOf(LOCAL[i][0]) === 0 && iri.length > LOCAL[i][0].length) return LOCAL[i][1] + iri.slice(LOCAL[i][0].length);
    }
    return null;
  }
  function curie(iri) {
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length && (!best || ns.length > prefixes[best].length)) best = p;
    });
    return best ? best + ":" + iri.slice(prefixes[best].length) : null;
  }

  /* ----- completion, from this server only ----- */
  var described = {};  // CURIE -> "label (alternative labels)", shown beside each suggestion
  function complete(kind, text) {
    var params = new URLSearchParams({ kind: kind, q: String(text || "").slice(0, 200), limit: "30" });
    return fetch("/api/complete?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { completions: [] }; })
      .then(function (j) {
        return j.completions.map(function (t) {
          var alt = t.alt_labels.length ? " (" + t.alt_labels.join(", ") + ")" : "";
          var local = t.curie.slice(t.curie.indexOf(":") + 1);
          // a label that only repeats the CURIE's local name (claims are named by their slug) adds nothing
          described[t.curie] = t.label === local && !alt ? "" : t.label + alt;
          return t;
        });
      })
      .catch(function () { return []; });
  }
  function withLabels(_yasqe, hints) {
    return hints.map(function (h) {
      if (described[h.text]) h.displayText = h.text + "  \u2014 " + described[h.text];
      return h;
    });
  }
  function termToken(yasqe) {
    var token = yasqe.getCompleteToken();
    var s = token.string || "";
    if (!s.trim() || /^[?$"'<]/.test(s) || /^[\s{}().;,]+$/.test(s)) return null;
    return token;
  }
  function inPredicatePosition(token) {
    return token.state && token.state.possibleCurrent && token.state.possibleCurrent.indexOf("a") >= 0;
  }
  function afterTypeProperty(yasqe, token) {
    var previous = yasqe.getPreviousNonWsToken(yasqe.getDoc().getCursor().line, token);
    var p = previous && previous.state && previous.state.lastProperty;
    return p === "a" || p === "rdf:type";
  }
  function inTermPosition(token) {
    var possible = (token.state && token.state.possibleCurrent) || [];
    return possible.indexOf("PNAME_LN") >= 0 || possible.indexOf("IRI_REF") >= 0;
  }
  function curies(kind) {
    return function (_yasqe, token) {
      var text = (token.string || "").trim();
      // right after `a` the token is still `a`: every class fits
      if (kind === "class" && text === "a") text = "";
      return complete(kind, text).then(function (list) { return list.map(function (t) { return t.curie; }); });
    };
  }
  // A completer of crampkg's own CURIEs of one kind, labelled, wherever `isValid` says the cursor may take one.
  function curieCompleter(name, kind, isValid) {
    Yasqe.registerAutocompleter({
      name: name, bulk: false, autoShow: true, persistenceId: null,
      isValidCompletionPosition: isValid, get: curies(kind), postprocessHints: withLabels
    }, false);
  }

  Yasqe.forkAutocompleter("prefixes", {
    name: "crampkg-prefixes",
    persistenceId: null,
    get: function () {
      return complete("prefix", "").then(function (list) {
        return list.map(function (t) { return t.curie + " <" + t.iri + ">"; });
      });
    }
  }, false);
  curieCompleter("crampkg-classes", "class", function (yasqe) {
    var token = yasqe.getCompleteToken();
    if (/^[?$"']/.test(token.string)) return false;
    return afterTypeProperty(yasqe, token);
  });
  curieCompleter("crampkg-properties", "property", function (yasqe) {
    var token = termToken(yasqe);
    return !!token && inPredicatePosition(token);
  });
  curieCompleter("crampkg-entities", "entity", function (yasqe) {
    var token = termToken(yasqe);
    return !!token && !inPredicatePosition(token) && !afterTypeProperty(yasqe, token) && inTermPosition(token);
  });
  // The stock completers ask prefix.cc and the LOV API: remove them so no configuration can turn them on.
  ["prefixes", "property", "class"].forEach(function (name) { delete Yasqe.Autocompleters[name]; });
  Yasqe.defaults.autocompleters = [];
  Yasqe.defaults.prefixCcApi = "";

  var run = function () { runQuery(); };
  var yasqe = new Yasqe(document.getElementById("editor"), {
    value: textarea.value,
    persistenceId: null,
    showQueryButton: false,
    createShareableLink: null,
    createShortLink: null,
    consumeShareLink: null,
    resizeable: true,
    editorHeight: "18em",
    autocompleters: ["variables", "crampkg-prefixes", "crampkg-classes", "crampkg-properties", "crampkg-entities"],
    requestConfig: { endpoint: "/sparql", method: "POST" },
    extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run, "Ctrl-S": function () {} }
  });
  textarea.hidden = true;
  textarea.setAttribute("aria-hidden", "true");
  var input = yasqe.getInputField();
  input.setAttribute("aria-labelledby", "editor-label");
  document.getElementById("editor-label").removeAttribute("for");

  var yasr = new Yasr(document.getElementById("results"), {
    persistenceId: null,
    prefixes: function () { return prefixes; },
    pluginOrder: ["table", "response"],
    defaultPlugin: "table"
  });

  /* Yasr's table links an IRI to itself; crampkg's own IRIs open their page on this site instead, outside
     http(s) IRIs open in a new tab without referrer, and any other scheme (javascript:, data:) is only text. */
  var Table = Yasr.plugins.table;
  Table.prototype.getUriLinkFromBinding = function (binding) {
    var iri = binding.value;
    var local = localPath(iri);
    var short = curie(iri);
    var text = escapeHtml(short || "<" + iri + ">");
    var label = labels[iri];
    var title = escapeHtml((label ? label + " \u2014 " : "") + iri);
    if (local) return "<a class='iri local' href='" + escapeHtml(local) + "' title='" + title + "'>" + text + "</a>";
    if (/^https?:\/\//i.test(iri)) {
      return "<a class='iri ext' href='" + escapeHtml(iri) + "' title='" + title +
        "' target='_blank' rel='noopener noreferrer'>" + text + "</a>";
    }
    return "<span class='iri' title='" + title + "'>" + text + "</span>";
  };

  /* ----- the catalogue ----- */
  function chooseParams(q, given) {
    paramsEl.textContent = "";
    q.parameters.forEach(function (p) {
      var label = el("label", { "for": "param-" + p.name });
      label.appendChild(document.createTextNode(p.name));
      var hint = [p.type, p.description].filter(Boolean).join(" \u2014 ");
      if (hint) label.appendChild(el("span", { "class": "hint" }, hint));
      var field = el("input", { id: "param-" + p.name, name: p.name, type: "text", "data-param": p.name,
        autocomplete: "off", spellcheck: "false" });
      field.value = given && given.get(p.name) !== null ? given.get(p.name) : (p["default"] || p.example || "");
      if (p.type === "IRI") {
        var list = el("datalist", { id: "param-" + p.name + "-list" });
        field.setAttribute("list", list.id);
        field.addEventListener("input", function () {
          complete("entity", field.value).then(function (terms) {
            list.textContent = "";
            terms.forEach(function (t) { list.appendChild(el("option", { value: t.curie }, t.label)); });
          });
        });
        label.appendChild(list);
      }
      field.addEventListener("input", updateShareLink);
      label.appendChild(field);
      paramsEl.appendChild(label);
    });
  }

  function choose(q, given) {
    current = q;
    cannedList.querySelectorAll("button[data-query]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-query") === q.name ? "true" : "false");
    });
    yasqe.setValue(q.sparql);
    document.getElementById("card-title").textContent = q.title;
    document.getElementById("card-desc").textContent = q.description;
    document.getElementById("card-answers").textContent = q.answers ? "Answers: " + q.answers : "";
    chooseParams(q, given);
    card.hidden = false;
    markEdited();
    updateShareLink();
  }

  function markEdited() {
    var edited = !!current && yasqe.getValue() !== current.sparql;
    document.getElementById("card-edited").hidden = !edited;
    paramsEl.classList.toggle("inactive", edited);
    paramsEl.querySelectorAll("input").forEach(function (i) { i.disabled = edited; });
  }

  function renderCatalogue(queries) {
    cannedList.textContent = "";
    queries.forEach(function (q) {
      var li = el("li");
      var b = el("button", { type: "button", "aria-pressed": "false", "data-query": q.name });
      b.appendChild(el("strong", {}, q.title));
      if (q.description) b.appendChild(el("span", { "class": "desc" }, q.description));
      if (q.parameters.length) b.appendChild(el("span", { "class": "desc params-note" }, "parameters: " + q.parameters.map(function (p) { return p.name; }).join(", ")));
      b.addEventListener("click", function () {
        choose(q);
        if (window.matchMedia("(max-width: 900px)").matches) {
          cannedBox.open = false;
          card.scrollIntoView({ block: "start" });
        }
      });
      li.appendChild(b);
      cannedList.appendChild(li);
    });
    cannedStatus.textContent = queries.length + " canned queries. Choose one to load it into the editor.";
    var params = new URLSearchParams(window.location.search);
    var wanted = params.get("q");
    queries.forEach(function (q) { if (q.name === wanted) choose(q, params); });
  }

  function loadCatalogue() {
    return fetch("/api/queries", { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (listing) {
      renderCatalogue(listing.queries.map(function (q) {
        return { name: q.name, title: q.title || q.name, description: q.description || "", answers: q.answers || "",
          form: (q.form || "").toUpperCase(), url: q.url, parameters: q.parameters || [],
          sparql: sourceByName[q.name] || "" };
      }));
    }).catch(function (err) {
      cannedStatus.textContent = "The canned-query catalogue is not available (" + err.message + "); you can still write SPARQL.";
    });
  }

  /* ----- the link that reopens this query ----- */
  function shareUrl() {
    var p = new URLSearchParams();
    if (current && yasqe.getValue() === current.sparql) {
      p.set("q", current.name);
      paramsEl.querySelectorAll("input[data-param]").forEach(function (i) { p.set(i.getAttribute("data-param"), i.value); });
    } else {
      p.set("query", yasqe.getValue());
    }
    return "/query?" + p.toString();
  }
  function updateShareLink() {
    shareLink.href = shareUrl();
    shareLink.hidden = false;
  }

  /* ----- running ----- */
  function queryForm(text) {
    var stripped = text.replace(/#[^\n]*/g, " ").replace(/(PREFIX|BASE)\s+[^\s]*\s*<[^>]*>/gi, " ");
    var m = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(stripped);
    return m ? m[1].toUpperCase() : "SELECT";
  }

  function buildRequest() {
    var text = yasqe.getValue();
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
          var err = new Error(r.status + ": " + String(msg).trim().slice(0, 400));
          err.status = r.status;
          err.detail = String(msg).trim();
          throw err;
        });
      }
      return r;
    });
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

  function runQuery() {
    var req = buildRequest();
    lastRequest = req;
    setStatus("Running\u2026");
    document.getElementById("run").disabled = true;
    var started = performance.now();
    var accept = req.graph ? "text/turtle" : "application/sparql-results+json";
    send(req, accept).then(function (r) {
      return r.text().then(function (body) {
        var ms = Math.round(performance.now() - started);
        var type = (r.headers.get("Content-Type") || accept).split(";")[0];
        yasr.setResponse({ data: body, contentType: type, status: r.status, executionTime: ms });
        var rows = r.headers.get("X-Crampkg-Rows");
        var truncated = r.headers.get("X-Crampkg-Truncated");
        var count = rows !== null ? rows + (req.graph ? " triples" : " results") : "Done";
        var answer = req.graph ? null : /"boolean"\s*:\s*(true|false)/.exec(body);
        if (answer) count = "Answer: " + (answer[1] === "true" ? "yes" : "no") + ",";
        setStatus(count + " in " + ms + " ms." + (truncated === "true" ? " Truncated at the server's row limit." : ""));
      });
    }).then(function () { showDownloads(req); }).catch(function (err) {
      downloads.hidden = true;
      // the server's message (which names the line and column of a syntax error) replaces the old results
      yasr.setResponse({ error: { status: err.status, statusText: "The query failed", text: err.detail || err.message } });
      setStatus("The query failed: " + err.message, true);
    }).then(function () { document.getElementById("run").disabled = false; });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); runQuery(); });
  document.getElementById("card-restore").addEventListener("click", function () { if (current) choose(current); });
  yasqe.on("change", function () { markEdited(); updateShareLink(); });

  var opened = new URLSearchParams(window.location.search).get("query");
  if (opened) yasqe.setValue(opened);
  updateShareLink();
  if (window.matchMedia("(max-width: 900px)").matches) cannedBox.open = false;

  Promise.all([
    complete("prefix", "").then(function (list) {
      list.forEach(function (t) { prefixes[t.curie.replace(/:$/, "")] = t.iri; });
    }),
    loadCatalogue()
  ]).then(function () { document.body.setAttribute("data-ready", "true"); });

  window.crampkgEditor = yasqe;
  window.crampkgResults = yasr;
  window.crampkgLastRequest = function () { return lastRequest; };
}());
