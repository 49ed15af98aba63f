"use strict";
// The report's only code: packed folds and data (unpacked on first use), the matrix filters,
// the evidence dialog (in sync with the URL hash and the Back button) and the upgrade view.
// Every text from the results goes in as textContent; the one innerHTML is a fold's own content,
// which the report's templates rendered (autoescaped) and packed (report/packed.py).
(function () {
  var SVG = "http://www.w3.org/2000/svg";

  // ------------------------------------------------------------------ packed content
  // gzip + base64 (report/packed.py), unpacked with DecompressionStream, which also works on
  // pages opened from file://.
  function unpack(packed) {
    if (typeof DecompressionStream === "undefined" || typeof Response === "undefined") {
      return Promise.reject(new Error("this browser cannot unpack the page's folds (it has no DecompressionStream); the same data is in the CSV files beside this page"));
    }
    var binary = atob(packed), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  var dataPromise = null;
  function loadData() {  // the page's data block, parsed once: a Promise
    if (!dataPromise) {
      var node = document.getElementById("report-data");
      dataPromise = (node ? unpack(node.textContent.trim()).then(JSON.parse) : Promise.resolve({}))
        .then(function (value) { parsed = value; return value; });
    }
    return dataPromise;
  }
  var parsed = null;  // the data once loaded, for code that runs after loadData() resolved
  function data() { return parsed; }
  function openFold(details) {  // a lazy fold's content, put in place the first time it opens
    if (!details.hasAttribute("data-z")) return Promise.resolve(details);
    var packed = details.getAttribute("data-z");
    details.removeAttribute("data-z");
    var body = details.querySelector(".lazy-body");
    return unpack(packed).then(function (html) {
      body.innerHTML = html;
      details.dispatchEvent(new CustomEvent("unpacked", { bubbles: true }));
      return details;
    }, function (error) {
      body.textContent = "";
      body.appendChild(el("p", "Could not open this fold: " + error.message, "muted"));
      return details;
    });
  }
  document.addEventListener("toggle", function (event) {
    var target = event.target;
    if (target.matches && target.matches("details.lazy") && target.open) openFold(target);
  }, true);
  function revealFold(id) {  // a link to a fold (#id) or into one opens it, and the folds around it
    var node = id && document.getElementById(id);
    if (!node) {  // inside a fold not yet unpacked: the fold that holds ids of its prefix
      var holder = Array.prototype.filter.call(document.querySelectorAll("details[data-holds]"), function (d) {
        return id && id.indexOf(d.getAttribute("data-holds")) === 0;
      })[0];
      if (!holder) return false;
      holder.open = true;
      openFold(holder).then(function () { if (document.getElementById(id)) revealFold(id); });
      return true;
    }
    var details = node.matches("details") ? node : node.closest("details");
    var chain = [];
    for (var d = details; d; d = d.parentElement && d.parentElement.closest("details")) chain.unshift(d);
    chain.forEach(function (d) { d.open = true; openFold(d); });
    node.scrollIntoView();
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (link && !link.hasAttribute("data-cell")) revealFold(decodeURIComponent(link.getAttribute("href").slice(1)));
  });

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function fmt(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "number") {
      if (Number.isInteger(value)) return String(value);  // counts, shapes, seeds: exact
      var abs = Math.abs(value);
      var rounded = Number(value.toPrecision(5));  // the page's numbers have 5 digits at most
      return abs >= 1e5 || abs < 1e-3 ? rounded.toExponential() : String(rounded);
    }
    if (typeof value === "boolean") return value ? "yes" : "no";
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  // ------------------------------------------------------------------ matrix filters
  // Row filters (family, layer, weight, changed) hide rows; column filters (backend, Keras
  // release; absent when every column shares one) hide columns, and then the rows with no
  // probed cell left among the shown columns. "Changed" then means changed in a shown column.
  // The matrix sits in a lazy fold: its controls are found when they change (delegated).
  function control(name) { return document.getElementById("filter-" + name); }
  function filter() {
    var filters = ["family", "layer", "role"].map(control);
    var columnFilters = ["backend", "keras"].map(control);
    var onlyChanged = control("changed");
    var wanted = filters.map(function (f) { return f ? f.value : ""; });
    var attributes = ["data-family", "data-kind", "data-role"];
    var columnsWanted = columnFilters.map(function (f) { return f ? f.value : ""; });
    var columnAttributes = ["data-backend", "data-keras"];
    var heads = document.querySelectorAll("#matrix-table thead th");
    var shown = Array.prototype.map.call(heads, function (th, i) {
      return i === 0 || columnsWanted.every(function (value, j) { return !value || th.getAttribute(columnAttributes[j]) === value; });
    });
    var narrowed = shown.indexOf(false) >= 0;
    Array.prototype.forEach.call(heads, function (th, i) { th.classList.toggle("hidden", !shown[i]); });
    Array.prototype.forEach.call(document.querySelectorAll("#matrix-table tbody tr"), function (row) {
      var probed = false, changed = false;
      for (var i = 1; i < row.cells.length; i++) {
        var cell = row.cells[i];
        cell.classList.toggle("hidden", !shown[i]);
        if (shown[i] && !cell.classList.contains("mi")) probed = true;
        if (shown[i] && cell.classList.contains("ch")) changed = true;
      }
      var visible = wanted.every(function (value, i) { return !value || row.getAttribute(attributes[i]) === value; }) &&
        (!narrowed || probed) &&
        (!onlyChanged || !onlyChanged.checked || (narrowed ? changed : row.hasAttribute("data-changed")));
      row.classList.toggle("hidden", !visible);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id && event.target.id.indexOf("filter-") === 0) filter();
  });

  // ------------------------------------------------------------------ evidence dialog
  var dialog = document.getElementById("evidence");
  var body = document.getElementById("evidence-body");
  var heading = document.getElementById("evidence-title");
  var openId = null, opener = null;

  function text(value) {  // a shared string (an index into data().matrix.strings) or a value
    return typeof value === "number" ? data().matrix.strings[value] : value;
  }
  // A matrix cell's id is its row's data-key followed by its column's data-env (no per-cell id
  // in the markup): index the buttons once, when first needed.
  var buttons = null;
  document.addEventListener("unpacked", function () { buttons = null; });
  function cellIdOf(button) {
    var row = button.closest("tr"), envs = document.querySelectorAll("#matrix-table thead th");
    return row.getAttribute("data-key") + envs[button.parentNode.cellIndex].getAttribute("data-env");
  }
  function button(id) {
    if (!buttons) {
      buttons = {};
      var envs = Array.prototype.map.call(document.querySelectorAll("#matrix-table thead th"), function (th) { return th.getAttribute("data-env"); });
      Array.prototype.forEach.call(document.querySelectorAll("#matrix-table tbody tr"), function (row) {
        var key = row.getAttribute("data-key");
        Array.prototype.forEach.call(row.querySelectorAll("button.c"), function (b) { buttons[key + envs[b.parentNode.cellIndex]] = b; });
      });
    }
    return buttons[id] || null;
  }
  function evidenceOf(id) {  // data.matrix.cells is {row key: {environment name: evidence}}
    var cells = data().matrix.cells, keys = Object.keys(cells);
    for (var i = 0; i < keys.length; i++) {
      if (id.lastIndexOf(keys[i], 0) === 0 && cells[keys[i]][id.slice(keys[i].length)]) return cells[keys[i]][id.slice(keys[i].length)];
    }
    return null;
  }
  function isCell(id) {
    return !!id && (!!button(id) || !!evidenceOf(id));
  }
  function titleOf(id, node) {
    if (!node) return id;
    var cell = node.closest("td"), row = node.closest("tr");
    var head = document.querySelectorAll("#matrix-table thead th")[cell.cellIndex];
    var rowText = row.querySelector("th").innerText.replace(/\s+/g, " ").trim();
    return rowText + " — " + head.firstChild.textContent.trim();
  }
  function niceTicks(lo, hi, count) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var step = Math.pow(10, Math.floor(Math.log10(span / count)));
    var err = span / count / step;
    step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
    var ticks = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return ticks;
  }
  function tickText(v) { return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(4))); }
  function histogram(h, theory, n) {
    var figure = el("figure");
    figure.style.margin = "0";
    var counts = h.counts, bins = counts.length;
    var edges = h.edges || counts.map(function (_, i) { return h.lo + (h.hi - h.lo) * i / bins; }).concat([h.hi]);
    var W = 480, H = 250, L = 60, R = 12, T = 12, B = 50;  // 13-unit text: 10 px on a phone
    var expected = typeof h.expected === "number" ? counts.map(function () { return h.expected; }) : h.expected;
    var max = 0;
    counts.forEach(function (c, i) { max = Math.max(max, c, expected ? expected[i] : 0); });
    var x = function (v) { return L + (v - edges[0]) / ((edges[bins] - edges[0]) || 1) * (W - L - R); };
    var y = function (v) { return H - B - v / (max || 1) * (H - T - B); };
    var plot = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Histogram of the drawn values" + (expected ? " with the counts the declared distribution predicts" : "") });
    counts.forEach(function (c, i) {
      plot.appendChild(svg("rect", { x: x(edges[i]), y: y(c), width: Math.max(x(edges[i + 1]) - x(edges[i]) - 0.5, 0.5), height: H - B - y(c), fill: "#8fb3e8" }));
    });
    if (expected) {
      var points = [];
      expected.forEach(function (e, i) { points.push(x(edges[i]) + "," + y(e)); points.push(x(edges[i + 1]) + "," + y(e)); });
      plot.appendChild(svg("polyline", { points: points.join(" "), fill: "none", stroke: "#c62828", "stroke-width": 2 }));
    }
    plot.appendChild(svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#555" }));
    plot.appendChild(svg("line", { x1: L, x2: L, y1: T, y2: H - B, stroke: "#555" }));
    niceTicks(edges[0], edges[bins], 5).forEach(function (v) {
      plot.appendChild(svg("line", { x1: x(v), x2: x(v), y1: H - B, y2: H - B + 5, stroke: "#555" }));
      plot.appendChild(svg("text", { x: x(v), y: H - B + 18, "text-anchor": "middle" }, tickText(v)));
    });
    niceTicks(0, max, 4).forEach(function (v) {
      plot.appendChild(svg("line", { x1: L - 5, x2: L, y1: y(v), y2: y(v), stroke: "#555" }));
      plot.appendChild(svg("text", { x: L - 8, y: y(v) + 4, "text-anchor": "end" }, tickText(v)));
    });
    plot.appendChild(svg("text", { x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle" }, "drawn weight value (unitless; " + bins + " bins of " + tickText((edges[bins] - edges[0]) / bins) + ")"));
    plot.appendChild(svg("text", { x: 14, y: (T + H - B) / 2, "text-anchor": "middle", transform: "rotate(-90 14 " + (T + H - B) / 2 + ")" }, "values per bin (count)"));
    figure.appendChild(plot);
    var legend = el("ul", null, "legend");
    var drawn = el("li"); var box = el("span", null, "swatch"); box.style.background = "#8fb3e8"; drawn.appendChild(box);
    drawn.appendChild(document.createTextNode("drawn values (n = " + fmt(n) + ")")); legend.appendChild(drawn);
    if (expected) {
      var declared = el("li"), line = el("span", null, "swatch");
      line.style.background = "linear-gradient(transparent 45%, #c62828 45%, #c62828 60%, transparent 60%)"; line.style.border = "0";
      declared.appendChild(line);
      declared.appendChild(document.createTextNode("declared " + (theory || "distribution") + ": the count per bin it predicts"));
      legend.appendChild(declared);
    }
    figure.appendChild(legend);
    return figure;
  }
  function statistics(item) {
    var names = ["mean", "std", "min", "max", "skewness", "excess kurtosis", "n"];
    var table = el("table", null, "stats"), head = el("tr"), values = el("tr"), errors = el("tr");
    head.appendChild(el("th", "")); values.appendChild(el("th", "value")); errors.appendChild(el("th", "± SE"));
    names.forEach(function (name, i) {
      head.appendChild(el("th", name));
      values.appendChild(el("td", fmt(item.moments[i])));
      errors.appendChild(el("td", item.se && item.se[i] !== null && item.se[i] !== undefined ? fmt(item.se[i]) : ""));
    });
    [head, values, errors].forEach(function (row) { table.appendChild(row); });
    var wrap = el("div", null, "scroll"); wrap.appendChild(table);
    return wrap;
  }
  function longNames(value) {  // the page stores evidence with one-letter keys (data.matrix.fields)
    if (!value || typeof value !== "object" || Array.isArray(value)) return value;
    var fields = data().matrix.fields, out = {};
    Object.keys(value).forEach(function (k) { out[fields[k] || k] = longNames(value[k]); });
    return out;
  }
  function evidenceItem(id) {  // the cell's evidence with long names, its profile merged in
    var raw = evidenceOf(id);
    if (!raw) return null;
    var item = longNames(raw);
    if (item.profile !== undefined) {
      var profile = longNames(data().matrix.profiles[item.profile]);
      Object.keys(profile).forEach(function (k) { if (item[k] === undefined) item[k] = profile[k]; });
    }
    if (!item.status) item.status = "ok";
    return item;
  }
  function render(id, node) {
    var item = evidenceItem(id);
    heading.textContent = titleOf(id, node);
    body.textContent = "";
    var dl = el("dl");
    var add = function (k, v) { if (v === null || v === undefined || v === "") return; dl.appendChild(el("dt", k)); dl.appendChild(el("dd", fmt(v))); };
    if (!item) {  // unavailable: the reason the cell carries
      add("status", node.textContent.trim());
      add("reason", data().matrix.reasons[Number(node.getAttribute("data-r"))]);
      body.appendChild(dl);
      return;
    }
    add("status", item.status);
    if (item.reason || item.error_type) add("reason", [text(item.error_type), item.reason].filter(Boolean).join(": "));
    add("declared initializer", text(item.initializer)); add("module", text(item.module));
    add("layer holds", text(item.held_by_layer)); add("resolved by", text(item.resolved_by));
    add("declared distribution", text(item.theory)); add("drawn (fingerprint)", item.fingerprint);
    add("fit", item.fit); add("fit detail", item.fit_detail);
    add("change vs previous", item.change); add("change detail", item.change_detail);
    add("shape", item.shape);
    if (item.fan_in !== undefined) add("fan_in / fan_out", item.fan_in + " / " + item.fan_out + (item.fan_source !== undefined ? " (" + text(item.fan_source) + ")" : ""));
    var s = item.seeded || {};
    if (item.seed !== undefined) add("seed", item.seed + (item.seed_call !== undefined ? " via " + text(item.seed_call) : ""));
    add("seeded sha256 (first 16 hex digits)", s.sha256); add("first values", s.first_values);
    add("repeats in-process", s.repeats_in_process); add("seeding error", s.error); add("reproducibility group", item.group);
    add("graph ops", text(item.graph_evidence));
    body.appendChild(dl);
    if (item.moments) {
      body.appendChild(el("h4", "Drawn values" + (item.builds ? " (" + item.builds + " draws)" : "")));
      body.appendChild(item.histogram ? histogram(item.histogram, text(item.theory), item.moments[6]) : el("p", "No histogram: every value is the same (" + fmt(item.moments[2]) + ").", "muted"));
      body.appendChild(statistics(item));
    }
    if (item.config !== undefined) { body.appendChild(el("h4", "Config")); body.appendChild(el("pre", text(item.config))); }
  }
  function open(id, push, from) {  // a Promise of whether the cell exists and was opened
    return loadData().then(function () {
      // an unavailable cell has no evidence entry: its reason is on its matrix button, so a
      // link to it unpacks the matrix first
      var matrixFold = document.getElementById("matrix-fold");
      if (id && id.indexOf("c-") === 0 && !isCell(id) && matrixFold && matrixFold.hasAttribute("data-z")) {
        return openFold(matrixFold).then(function () { buttons = null; return isCell(id); });
      }
      return isCell(id);
    }).then(function (known) {
      if (!known) return false;
      var node = button(id);
      render(id, node);
      if (!dialog.open) {
        opener = from || node || document.activeElement;
        dialog.showModal();
      }
      openId = id;
      if (push) history.pushState({ cell: id, pushed: true }, "", "#" + id);
      document.getElementById("evidence-close").focus();
      return true;
    });
  }
  dialog.addEventListener("close", function () {
    var id = openId, back = opener;
    openId = null; opener = null;
    if (!back || !document.contains(back)) back = id && button(id);
    if (back && back.focus) back.focus();
    if (history.state && history.state.pushed && history.state.cell === id) history.back();
    else if (id && location.hash === "#" + id) history.replaceState(null, "", location.pathname + location.search);
  });
  document.getElementById("evidence-close").addEventListener("click", function () { dialog.close(); });
  window.addEventListener("popstate", function () {
    var id = decodeURIComponent(location.hash.slice(1));
    open(id, false).then(function (opened) { if (!opened && dialog.open) dialog.close(); });
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("button.c, [data-cell]");
    if (!target) return;
    var id = target.getAttribute("data-cell") || cellIdOf(target);
    event.preventDefault();
    open(id, true, target);
  });

  // ------------------------------------------------------------------ upgrade view
  // The verdict of any pair: the items between the two (sections/upgrade.py events_between)
  // folded into lines and a headline exactly as report/verdict.py summarize does, in the markup
  // of templates/verdict.html.j2 (the page arrives with the default pair rendered from it).
  var from = document.getElementById("upgrade-from"), to = document.getElementById("upgrade-to");
  var result = document.getElementById("upgrade-result");
  var F = { env: 0, since: 1, topic: 2, fold: 3, subject: 4, text: 5, detail: 6, keep: 7, unit: 8, of: 9, row: 10, cell: 11 };
  function positions(envs) {
    var pos = [], count = 0;
    envs.forEach(function (e, i) { if (e[2] < 0) pos[i] = count++; });
    envs.forEach(function (e, i) { if (e[2] >= 0) pos[i] = pos[e[2]]; });
    return pos;
  }
  function between(first, second) {  // sections/upgrade.py events_between, on indices
    var u = data().upgrade, envs = u.envs, pos = positions(envs);
    if (first === second) return [];
    if (envs[first][3] !== envs[second][3]) {  // two lines: only one Keras release on two backends
      if (envs[first][3] === "tensorflow" || envs[second][3] === "tensorflow" || !envs[first][4] ||
          envs[first][4] !== envs[second][4]) return null;
      return u.backendEvents.filter(function (it) {
        return (it[F.env] === first && it[F.since] === second) || (it[F.env] === second && it[F.since] === first);
      });
    }
    var pair = [first, second].sort(function (a, b) { return pos[a] - pos[b] || a - b; });
    var lo = pair[0], hi = pair[1];
    var variant = function (i) { return envs[i][2] >= 0; };
    return u.events.filter(function (it) {
      var e = it[F.env];
      return (variant(e) && (e === lo || e === hi)) || (!variant(e) && pos[lo] < pos[e] && pos[e] <= pos[hi]);
    });
  }
  function plural(count, word) { return count + " " + word + (count === 1 ? "" : "s"); }
  function distinct(values) { return values.filter(function (v, i) { return values.indexOf(v) === i; }); }
  function streamText(items) {  // verdict.stream_text
    var weights = distinct(items.filter(function (it) { return it[F.unit] === "weight"; }).map(function (it) { return it[F.row]; }));
    var checks = distinct(items.filter(function (it) { return it[F.unit] !== "weight"; }).map(function (it) { return it[F.row]; }));
    var of = 0, parts = [];
    items.forEach(function (it) { if (it[F.unit] === "weight") of = Math.max(of, it[F.of]); });
    if (weights.length) {
      var n = weights.length, said = of === n && n > 1 ? "all " + n : of > n ? n + " of " + of : String(n);
      parts.push("for " + said + " weight" + (Math.max(n, of) === 1 ? "" : "s"));
    }
    if (checks.length) parts.push("in " + plural(checks.length, "seeding check"));
    return "the same seed gives other weights " + parts.join(" and ");
  }
  function foldItems(items, labelOf) {  // verdict.fold and _finish
    var u = data().upgrade, byKey = {}, lines = [];
    items.forEach(function (it) {
      var key = it[F.topic] + "\u0000" + it[F.fold];
      if (!byKey[key]) { byKey[key] = { topic: it[F.topic], fold: it[F.fold], items: [] }; lines.push(byKey[key]); }
      byKey[key].items.push(it);
    });
    lines = lines.map(function (line, i) { return [line, i]; })
      .sort(function (a, b) { return a[0].topic - b[0].topic || a[1] - b[1]; }).map(function (p) { return p[0]; });
    var spans = distinct(items.map(function (it) { return it[F.env]; })).length > 1;
    return lines.map(function (line) {
      var its = line.items, rows = [], seen = {};
      its.forEach(function (it) { if (!seen.hasOwnProperty(it[F.row])) { seen[it[F.row]] = 1; rows.push({ row: it[F.row], cell: it[F.cell] }); } });
      var subjects = distinct(its.map(function (it) { return it[F.subject]; }));
      var subject = subjects.length === 1 ? subjects[0] :
        subjects[0] + " and " + (subjects.length - 1) + " more " + its[0][F.unit] + (subjects.length === 2 ? "" : "s");
      var text = line.fold.indexOf(u.stream) === 0 ? streamText(its) : its[0][F.text];
      var versions = distinct(its.map(function (it) { return labelOf(it[F.env]); }));
      var keeps = distinct(its.map(function (it) { return it[F.keep]; }).filter(Boolean));
      var brief = u.namedOnly.indexOf(u.topics[line.topic]) >= 0 ? subject : subject + ": " + text;
      if (brief.length > u.briefChars) brief = brief.slice(0, u.briefChars - 1).replace(/\s+$/, "") + "\u2026";
      if (spans) brief += " (in " + versions.join(", ") + ")";
      return { topic: u.topics[line.topic], subject: subject, text: text, detail: its[0][F.detail],
               keep: keeps.join("; "), rows: rows, versions: versions, brief: brief };
    });
  }
  function throughputText(lines) {  // verdict.throughput_text
    var found = { slower: [], faster: [] };
    lines.forEach(function (line) {
      var m = line.topic === "throughput" && /([0-9.]+)\u00d7 (slower|faster)/.exec(line.text);
      if (m) found[m[2]].push(parseFloat(m[1]));
    });
    return ["slower", "faster"].filter(function (w) { return found[w].length; }).map(function (w) {
      return found[w].length + " " + w + " (up to " + Math.max.apply(null, found[w]).toFixed(2) + "\u00d7)";
    }).join(", ");
  }
  function summarize(items, labelOf) {  // verdict.summarize
    var u = data().upgrade, lines = foldItems(items, labelOf), headline = [], topics = [];
    u.topics.forEach(function (topic) {
      var mine = lines.filter(function (l) { return l.topic === topic; });
      if (mine.length) topics.push({ topic: topic, title: u.titles[topic], counted: u.counted.indexOf(topic) >= 0, lines: mine });
      if (u.counted.indexOf(topic) < 0 || (u.headline.indexOf(topic) < 0 && !mine.length)) return;
      var text = mine.slice(0, u.briefs).map(function (l) { return l.brief; }).join("; ") +
        (mine.length > u.briefs ? "; and " + (mine.length - u.briefs) + " more" : "");
      headline.push({ topic: topic, title: u.titles[topic], count: mine.length, text: text || u.none[topic] });
    });
    var said = { changes: lines.filter(function (l) { return u.counted.indexOf(l.topic) >= 0; }).length,
                 headline: headline, topics: topics, spans: distinct(items.map(function (it) { return it[F.env]; })).length > 1,
                 throughput: throughputText(lines),
                 harness: lines.filter(function (l) { return l.topic === "harness"; }).length,
                 renamed: items.filter(function (it) { return u.topics[it[F.topic]] === "renamed"; }).length };
    var parts = [];  // verdict.not_counted_text
    if (said.harness) parts.push(plural(said.harness, "harness note") + " (a family probed on one side only)");
    if (said.renamed) parts.push(plural(said.renamed, "internal rename") + " (same distribution)");
    said.notCounted = parts.join(" and ");
    return said;
  }
  function sentence(said, first, second, same) {  // verdict.sentence
    if (same) return "The same environment twice: nothing differs.";
    if (!said.changes) return "No behaviour change from " + first + " to " + second + ".";
    return plural(said.changes, "behaviour change") + " from " + first + " to " + second + ".";
  }
  function rowLink(row) {
    var a = el("a"); a.href = "#" + row.cell;
    if (row.cell.indexOf("c-") === 0) a.setAttribute("data-cell", row.cell);
    a.appendChild(el("code", row.row));
    return a;
  }
  function lineItem(line, spans) {  // verdict.html.j2 line_item
    var li = el("li"), own = line.rows.length === 1 && line.rows[0].row === line.subject;
    var subject = el("strong");
    subject.appendChild(own ? rowLink(line.rows[0]) : document.createTextNode(line.subject));
    li.appendChild(subject);
    li.appendChild(document.createTextNode(": " + line.text));
    if (line.detail) { li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", "(" + line.detail + ")", "muted")); }
    if (spans) { li.appendChild(document.createTextNode(" ")); li.appendChild(el("span", "\u2014 in " + line.versions.join(", "), "muted")); }
    if (line.rows.length === 1 && !own) { li.appendChild(document.createTextNode(" ")); li.appendChild(rowLink(line.rows[0])); }
    else if (line.rows.length > 1) {
      li.appendChild(document.createTextNode(" "));
      var fold = el("details", null, "rows");
      fold.appendChild(el("summary", line.rows.length + " affected rows"));
      line.rows.forEach(function (row, i) { if (i) fold.appendChild(document.createTextNode(", ")); fold.appendChild(rowLink(row)); });
      li.appendChild(fold);
    }
    if (line.keep) li.appendChild(el("span", "To keep the old behaviour: " + line.keep, "keep"));
    return li;
  }
  function upperFirst(text) { return text.charAt(0).toUpperCase() + text.slice(1); }
  function lockOf(i) {  // sections/upgrade.py _lock_data: {name: version}, or null
    var l = data().upgrade.lockDiff, found = {};
    if (!l.locks[i]) return null;
    l.locks[i].forEach(function (p) { found[l.packages[p[0]]] = p[1]; });
    return found;
  }
  function movedText(first, second) {  // causes.moved_between and locks.moved_text
    var l = data().upgrade.lockDiff, a = lockOf(first), b = lockOf(second), every = [];
    if (!a || !b || first === second) return "";
    Object.keys(a).forEach(function (n) { if (!(n in b)) every.push([n, a[n], null]); else if (a[n] !== b[n]) every.push([n, a[n], b[n]]); });
    Object.keys(b).forEach(function (n) { if (!(n in a)) every.push([n, null, b[n]]); });
    var rank = function (n) { var i = l.interesting.indexOf(n); return i >= 0 ? [i, ""] : [l.interesting.length, n]; };
    every.sort(function (x, y) { var p = rank(x[0]), q = rank(y[0]); return p[0] - q[0] || (p[1] < q[1] ? -1 : p[1] > q[1] ? 1 : 0); });
    if (!every.length) return "packages that moved: no package moved";
    var interesting = every.filter(function (m) { return l.interesting.indexOf(m[0]) >= 0; }).length;
    var shown = every.slice(0, Math.max(l.named, interesting)), rest = every.length - shown.length;
    return "packages that moved: " + shown.map(function (m) {
      return m[1] === null ? m[0] + " added (" + m[2] + ")" : m[2] === null ? m[0] + " removed (" + m[1] + ")" : m[0] + " " + m[1] + " → " + m[2];
    }).join(", ") + (rest ? " and " + rest + " more" : "");
  }
  function causesBetween(first, second) {  // sections/upgrade.py causes_between, on indices
    var u = data().upgrade, envs = u.envs, pos = positions(envs), found;
    if (envs[first][3] !== envs[second][3]) {
      found = u.lockDiff.causes.filter(function (c) { return (c[0] === first && c[1] === second) || (c[0] === second && c[1] === first); });
    } else {
      var pair = [first, second].sort(function (a, b) { return pos[a] - pos[b] || a - b; }), lo = pair[0], hi = pair[1];
      found = first === second ? [] : u.lockDiff.causes.filter(function (c) {
        var e = c[1], variant = envs[e][2] >= 0;
        return (variant && (e === lo || e === hi)) || (!variant && pos[lo] < pos[e] && pos[e] <= pos[hi]);
      });
    }
    var moved = movedText(first, second);
    return moved || found.length ? { moved: moved, causes: found.map(function (c) { return { status: c[2], text: c[3], keep: c[4] }; }) } : null;
  }
  function renderVerdict(said, text, causes) {  // verdict.html.j2 verdict_view
    var summary = el("p", null, "upgrade-summary");
    summary.appendChild(el("strong", text));
    result.appendChild(summary);
    if (causes) {
      if (causes.moved) result.appendChild(el("p", upperFirst(causes.moved), "moved muted"));
      causes.causes.forEach(function (c) {
        var p = el("p", upperFirst(c.text), "cause"); p.setAttribute("data-status", c.status);
        if (c.keep) p.appendChild(el("span", "To keep the old behaviour: " + c.keep, "keep"));
        result.appendChild(p);
      });
    }
    var dl = el("dl", null, "headline");
    said.headline.forEach(function (item) {
      var div = el("div", null, "hl hl-" + item.topic + (item.count ? "" : " hl-none"));
      div.appendChild(el("dt", item.title)); div.appendChild(el("dd", item.text)); dl.appendChild(div);
    });
    if (said.throughput) {
      var tp = el("div", null, "hl hl-throughput"), dd = el("dd", said.throughput + ": not a behaviour difference (");
      var link = el("a", "Throughput"); link.href = "#throughput";
      dd.appendChild(link); dd.appendChild(document.createTextNode(")"));
      tp.appendChild(el("dt", "Throughput")); tp.appendChild(dd); dl.appendChild(tp);
    }
    result.appendChild(dl);
    if (said.notCounted) result.appendChild(el("p", "Not counted: " + said.notCounted + ".", "muted not-counted"));
    said.topics.forEach(function (topic) {
      var list = el("ul");
      topic.lines.forEach(function (line) { list.appendChild(lineItem(line, said.spans)); });
      var block;
      if (topic.counted) {
        block = el("section", null, "verdict-topic");
        var h = el("h3", topic.title + " "); h.appendChild(el("span", "(" + topic.lines.length + ")", "muted"));
        block.appendChild(h);
      } else {
        block = el("details", null, "verdict-topic");
        block.appendChild(el("summary", topic.title + " (" + topic.lines.length + ", not counted)"));
      }
      block.setAttribute("data-topic", topic.topic);
      block.appendChild(list);
      result.appendChild(block);
    });
  }
  function showUpgrade() {
    var u = data().upgrade, names = u.envs.map(function (e) { return e[0]; });
    var first = names.indexOf(from.value), second = names.indexOf(to.value);
    var items = between(first, second);
    Array.prototype.forEach.call(document.querySelectorAll(".pairs button"), function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-first") === from.value && b.getAttribute("data-second") === to.value));
    });
    result.textContent = "";
    if (items === null) {
      result.appendChild(el("p", u.envs[first][1] + " and " + u.envs[second][1] + " are on different lines (" +
        u.envs[first][3] + "; " + u.envs[second][3] + "): versions are compared within a line, and backends only for the same Keras release, so no difference is listed between them.", "upgrade-summary"));
      return;
    }
    var labelOf = function (i) { return u.envs[i][1]; };
    var order = [first, second];
    if (u.envs[first][3] === u.envs[second][3]) {
      var pos = positions(u.envs);
      order.sort(function (a, b) { return pos[a] - pos[b] || a - b; });
    }
    var said = summarize(items, labelOf);
    renderVerdict(said, sentence(said, labelOf(order[0]), labelOf(order[1]), first === second),
                  causesBetween(first, second));
  }
  if (from && to && result) {
    from.addEventListener("change", function () { loadData().then(showUpgrade); });
    to.addEventListener("change", function () { loadData().then(showUpgrade); });
    Array.prototype.forEach.call(document.querySelectorAll(".pairs button"), function (b) {
      b.addEventListener("click", function () { from.value = b.getAttribute("data-first"); to.value = b.getAttribute("data-second"); loadData().then(showUpgrade); });
    });
    // the default pair arrives rendered (verdict.html.j2); a pair kept by the browser's form
    // restore is rendered again
    if (result.getAttribute("data-first") !== from.value || result.getAttribute("data-second") !== to.value) loadData().then(showUpgrade);
  }

  var initial = decodeURIComponent(location.hash.slice(1));
  if (initial && !revealFold(initial)) open(initial, false);
})();
