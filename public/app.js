// rmirror dashboard: small behaviours htmx does not cover. No framework, no build step.
(function () {
  "use strict";
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; } catch (e) { return ""; }
  }
  function closeModal() { var m = document.getElementById("modal"); if (m) m.innerHTML = ""; }

  // 402 (quota) and other error fragments go into #modal (also configured in meta htmx-config).
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if (xhr && xhr.status >= 400 && (xhr.getResponseHeader("content-type") || "").indexOf("text/html") === 0) {
      e.detail.shouldSwap = true;
      e.detail.isError = xhr.status !== 402;
      e.detail.target = document.getElementById("modal");
      e.detail.swapOverride = "innerHTML";
    }
  });
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!(t instanceof Element)) return;
    var close = t.closest("[data-close-modal]");
    if (close && (t === close || t.tagName === "BUTTON")) { closeModal(); return; }
    var copy = t.closest("[data-copy]");
    if (copy) {
      var src = document.querySelector(copy.getAttribute("data-copy"));
      if (src && navigator.clipboard) navigator.clipboard.writeText(src.innerText).then(function () { copy.textContent = "Copied"; setTimeout(function () { copy.textContent = "Copy"; }, 1500); });
      return;
    }
    var zoom = t.closest("[data-zoom]");
    var img = document.getElementById("page-image");
    if (zoom && img) {
      var how = zoom.getAttribute("data-zoom");
      var w = img.getBoundingClientRect().width;
      if (how === "fit") { img.classList.add("fit"); img.style.width = ""; }
      else { img.classList.remove("fit"); img.style.width = Math.round(w * (how === "in" ? 1.25 : 0.8)) + "px"; }
      return;
    }
    if (t.id === "page-image" && t.tagName === "IMG") { t.classList.toggle("fit"); t.style.width = ""; }
  });
  // Phone header: #menu-button opens #site-menu; Escape or a click outside closes it.
  function setMenu(o) { var b = document.getElementById("menu-button"), h = b && b.closest("header"); if (!h) return; h.classList.toggle("menu-open", o); b.setAttribute("aria-expanded", String(o)); }
  document.addEventListener("click", function (e) {
    var t = e.target, b = document.getElementById("menu-button"), m = document.getElementById("site-menu"); if (!(t instanceof Element) || !b) return;
    if (b.contains(t)) setMenu(b.getAttribute("aria-expanded") !== "true"); else if (m && !m.contains(t)) setMenu(false);
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") setMenu(false); });
  document.addEventListener("click", function (e) {
    var box = document.querySelector(".search-box");
    var r = document.getElementById("search-results");
    if (box && r && r.innerHTML && e.target instanceof Node && !box.contains(e.target)) r.innerHTML = "";
  });
  // Search box: "/" focuses it (as on GitHub and Gmail); arrow keys move through the dropdown's
  // results and back up into the box; Enter opens the focused result (it is a link).
  document.addEventListener("keydown", function (e) {
    var input = document.getElementById("search");
    var panel = document.getElementById("search-results");
    if (!input || e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    var tag = (t && t.tagName) || "";
    if (e.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test(tag) && !(t && t.isContentEditable)) {
      e.preventDefault(); input.focus(); input.select(); return;
    }
    if ((e.key !== "ArrowDown" && e.key !== "ArrowUp") || !panel) return;
    var links = Array.prototype.slice.call(panel.querySelectorAll("a[href]"));
    if (!links.length) return;
    var at = t === input ? -1 : links.indexOf(t);
    if (t !== input && at < 0) return;
    e.preventDefault();
    var next = e.key === "ArrowDown" ? Math.min(at + 1, links.length - 1) : at - 1;
    if (next < 0) input.focus(); else links[next].focus();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { closeModal(); var r = document.getElementById("search-results"); if (r) r.innerHTML = ""; return; }
    var tag = (e.target && e.target.tagName) || "";
    if (e.altKey || e.ctrlKey || e.metaKey || /^(INPUT|TEXTAREA|SELECT)$/.test(tag)) return;
    var rel = e.key === "ArrowLeft" || e.key === "k" ? "prev" : e.key === "ArrowRight" || e.key === "j" ? "next" : "";
    if (!rel) return;
    var a = document.querySelector('main a[rel="' + rel + '"]');
    if (a) { e.preventDefault(); location.href = a.href; }
  });

  // A search hit opens its page with ?hl=<the words that matched>: mark them in the page's text
  // (again after the text panel refreshes itself) and scroll the first into view.
  function norm(w) { return w.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  function markHits(scroll) {
    var words = (new URLSearchParams(location.search).get("hl") || "").split(/\s+/).filter(Boolean).map(norm);
    var root = document.getElementById("page-text");
    if (!words.length || !root || root.querySelector("mark.hit-mark")) return;
    var re = /[\p{L}\p{N}\p{M}]+/gu;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (n) {
      if (n.parentNode && /^(BUTTON|H2|SCRIPT|STYLE|MARK)$/.test(n.parentNode.nodeName)) return;
      var text = n.nodeValue, last = 0, m, frag = null;
      re.lastIndex = 0;
      while ((m = re.exec(text))) {
        if (words.indexOf(norm(m[0])) < 0) continue;
        frag = frag || document.createDocumentFragment();
        frag.appendChild(document.createTextNode(text.slice(last, m.index)));
        var mark = document.createElement("mark"); mark.className = "hit-mark"; mark.textContent = m[0];
        frag.appendChild(mark); last = m.index + m[0].length;
      }
      if (!frag) return;
      frag.appendChild(document.createTextNode(text.slice(last)));
      n.parentNode.replaceChild(frag, n);
    });
    var first = root.querySelector("mark.hit-mark");
    if (first && scroll) first.scrollIntoView({ block: "center" });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { markHits(true); });
  else markHits(true);
  document.addEventListener("htmx:afterSettle", function () { markHits(false); });

  // The folder tree is open on a wide screen (a sidebar beside the library) and folded on a phone
  // (the server renders it open only inside a folder). Same breakpoint as app.css.
  function openTreeWhenWide() {
    var tree = document.querySelector("#folder-tree details");
    if (tree && window.matchMedia("(min-width: 721px)").matches) tree.open = true;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", openTreeWhenWide);
  else openTreeWhenWide();

  // Bulk actions (library): count, Select all, buttons only with a selection; the live reload of
  // the listing waits while something is ticked (it would clear the boxes).
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("#bulk-form .sel input")); }
  function addBoxes(f) {
    var list = f.querySelector("table.list"), head = list && list.querySelector("thead tr");
    if (head && !head.querySelector(".select-cell")) { var th = document.createElement("th"); th.className = "select-cell"; head.insertBefore(th, head.firstChild); }
    Array.prototype.forEach.call(f.querySelectorAll("[data-doc-uuid]"), function (c) {
      if (c.querySelector(".sel")) return;
      var host = c;
      if (c.tagName === "TR") { host = document.createElement("td"); host.className = "select-cell"; c.insertBefore(host, c.firstChild); }
      if (!c.classList.contains("doc-card")) return;
      var l = document.createElement("label"), i = document.createElement("input"), n = c.querySelector(".name, a span");
      l.className = "sel"; i.type = "checkbox"; i.name = "doc." + c.getAttribute("data-doc-uuid"); i.setAttribute("aria-label", "Select " + (n ? n.textContent : ""));
      l.appendChild(i); host.insertBefore(l, host.firstChild);
    });
    f.querySelector(".bulk-bar").hidden = false;
  }
  function updateBulk() {
    var f = document.getElementById("bulk-form"); if (!f) return;
    addBoxes(f);
    var all = boxes(), n = all.filter(function (b) { b.closest(".doc-card").classList.toggle("selected", b.checked); return b.checked; }).length;
    document.getElementById("bulk-count").textContent = n ? n + " selected:" : "Select notebooks for:";
    f.querySelector(".bulk-bar").classList.toggle("has-selection", n > 0);
    Array.prototype.forEach.call(f.querySelectorAll("button[name=action]"), function (b) { b.disabled = !n; });
    var a = document.getElementById("bulk-all"); a.checked = n > 0 && n === all.length; a.indeterminate = n > 0 && n < all.length;
  }
  document.addEventListener("change", function (e) {
    var t = e.target; if (!(t instanceof Element)) return;
    if (t.id === "bulk-all") boxes().forEach(function (b) { b.checked = t.checked; });
    if (t.id === "bulk-all" || t.closest(".sel")) updateBulk();
  });
  document.addEventListener("htmx:beforeRequest", function (e) { if (e.detail.elt.id === "library-live" && boxes().some(function (b) { return b.checked; })) e.preventDefault(); });
  document.addEventListener("htmx:afterSettle", updateBulk);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", updateBulk); else updateBulk();

  // Upload: drag and drop or file input → POST /api/v1/import (multipart) with X-CSRF-Token.
  // One result line per file (appended, so several files at once all report).
  function line(out, text, cls) { var p = document.createElement("p"); p.textContent = text; p.className = cls; out.appendChild(p); }
  function upload(files, i) {
    var form = document.getElementById("upload-form");
    var bar = document.getElementById("upload-progress");
    var out = document.getElementById("upload-result");
    if (!form || !files || i >= files.length) return;
    var f = files[i];
    if (!/\.(rmdoc|zip)$/i.test(f.name)) { line(out, f.name + ": only .rmdoc and .zip exports can be uploaded.", "err"); return upload(files, i + 1); }
    var fd = new FormData(); fd.append("file", f, f.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/import");
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    bar.hidden = false; bar.value = 0;
    xhr.upload.onprogress = function (ev) { if (ev.lengthComputable) bar.value = Math.round((ev.loaded / ev.total) * 100); };
    xhr.onload = function () {
      var msg;
      try {
        var r = JSON.parse(xhr.responseText);
        if (xhr.status === 201) msg = f.name + ": imported " + r.documents.length + " document(s)" + (r.errors.length ? ", " + r.errors.length + " error(s)" : "") + ".";
        else msg = f.name + ": " + ((r.error && r.error.message) || "upload failed (" + xhr.status + ")");
      } catch (err) { msg = f.name + ": upload failed (" + xhr.status + ")"; }
      line(out, msg, xhr.status === 201 ? "ok" : "err"); bar.value = 100;
      upload(files, i + 1);
    };
    xhr.onerror = function () { line(out, f.name + ": network error.", "err"); upload(files, i + 1); };
    xhr.send(fd);
  }
  document.addEventListener("change", function (e) { if (e.target && e.target.id === "upload-file") upload(e.target.files, 0); });
  ["dragover", "dragleave", "drop"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var z = document.getElementById("dropzone");
      if (!z || !(e.target instanceof Node) || !z.contains(e.target)) return;
      e.preventDefault();
      z.classList.toggle("over", type === "dragover");
      if (type === "drop") upload(e.dataTransfer.files, 0);
    });
  });
  document.addEventListener("submit", function (e) { if (e.target && e.target.id === "upload-form") e.preventDefault(); });
})();
