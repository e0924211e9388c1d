/* Article view: select highlighted words to list the claims they support; a link to a claim
   (?claim=NAME or #claim-NAME) marks its words and scrolls to them. Text is set with textContent only. */
(function () {
  "use strict";
  var dataEl = document.getElementById("claims-data");
  if (!dataEl) return;
  var claims = JSON.parse(dataEl.textContent);
  var list = document.getElementById("side-list");
  var title = document.getElementById("side-title");
  var help = document.getElementById("side-help");
  var spans = Array.prototype.slice.call(document.querySelectorAll(".ev[data-claims]"));

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function term(t) {
    if (t.literal) return el("q", { "class": "literal" }, t.text);
    if (t.href) {
      var a = el("a", { href: t.href }, t.text);
      if (t.external) { a.className = "ext"; a.rel = "noopener noreferrer"; }
      return a;
    }
    return el("span", {}, t.text);
  }
  function claimItem(c, marked) {
    var li = el("li", marked ? { "class": "claim-marked" } : {});
    var tr = el("span", { "class": "triple" }, c.sentence);  // a boolean fact reads as its sentence, not "yes"
    if (!c.sentence) {
      tr.appendChild(term(c.subject));
      tr.appendChild(document.createTextNode(" "));
      tr.appendChild(el("em", {}, c.predicate.text));
      tr.appendChild(document.createTextNode(" "));
      tr.appendChild(term(c.object));
    }
    li.appendChild(tr);
    var keys = Object.keys(c.qualifiers || {});
    if (keys.length) {
      li.appendChild(el("div", { "class": "quals" }, keys.map(function (k) {
        return k + ": \u201c" + c.qualifiers[k] + "\u201d"; }).join("; ")));
    }
    var meta = el("div", { "class": "quals" });
    meta.appendChild(document.createTextNode("claim "));
    meta.appendChild(el("a", { href: c.href }, c.name));
    meta.appendChild(document.createTextNode(" \u00b7 quote: \u201c" + c.quote + "\u201d"));
    li.appendChild(meta);
    return li;
  }

  var side = document.getElementById("side");
  var close = document.getElementById("side-close");
  if (close) {
    close.hidden = false;
    close.addEventListener("click", function () {
      side.classList.remove("open");
      var chosen = document.querySelector(".ev.selected") || document.querySelector(".ev.marked");
      if (chosen) chosen.focus();
    });
  }

  function showClaims(names, heading, marked) {
    if (help) help.hidden = true;
    side.classList.add("open");
    title.textContent = heading;
    list.textContent = "";
    names.forEach(function (n) { if (claims[n]) list.appendChild(claimItem(claims[n], n === marked)); });
  }

  function selectSpan(span) {
    spans.forEach(function (s) { s.classList.remove("selected"); s.removeAttribute("aria-pressed"); });
    span.classList.add("selected");
    span.setAttribute("aria-pressed", "true");
    var names = span.getAttribute("data-claims").split(" ");
    showClaims(names, "\u201c" + span.textContent + "\u201d supports " + names.length + " claim" + (names.length === 1 ? "" : "s"));
  }

  spans.forEach(function (span) {
    span.addEventListener("click", function () { selectSpan(span); });
    span.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); selectSpan(span); }
    });
  });

  function markFromLocation() {
    var name = new URLSearchParams(window.location.search).get("claim") || "";
    var hash = decodeURIComponent(window.location.hash || "");
    if (hash.indexOf("#claim-") === 0) name = hash.slice(7);
    if (!name || !claims[name]) return;
    spans.forEach(function (s) {
      var on = s.getAttribute("data-claims").split(" ").indexOf(name) >= 0;
      s.classList.toggle("marked", on);
    });
    showClaims([name], "Claim " + name, name);
    var anchor = document.getElementById("claim-" + name);
    var first = spans.filter(function (s) { return s.classList.contains("marked"); })[0];
    var target = first || anchor;
    if (target) {
      target.scrollIntoView({ block: "center" });
      if (first) first.focus({ preventScroll: true });
    }
  }
  window.addEventListener("hashchange", markFromLocation);
  markFromLocation();
}());
