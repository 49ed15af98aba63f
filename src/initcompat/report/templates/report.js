"use strict";
(function () {
  var evidence = JSON.parse(document.getElementById("evidence-data").textContent);
  var panel = document.getElementById("evidence");
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function fmt(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "number") return Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(4) : String(Math.round(value * 1e6) / 1e6);
    return typeof value === "string" ? value : JSON.stringify(value);
  }
  function svgNode(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function histogram(data) {
    var edges = data.edges, counts = data.counts, expected = data.expected;
    if (!edges || !counts || counts.length < 2) return el("p", "No histogram (constant or missing sample).", "muted");
    var width = 520, height = 180, pad = 24, max = 0;
    counts.forEach(function (c, i) { max = Math.max(max, c, expected ? expected[i] : 0); });
    var lo = edges[0], hi = edges[edges.length - 1], span = (hi - lo) || 1;
    var x = function (v) { return pad + (v - lo) / span * (width - 2 * pad); };
    var y = function (v) { return height - pad - v / (max || 1) * (height - 2 * pad); };
    var svg = svgNode("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img" });
    svg.appendChild(svgNode("title", {})).textContent = "histogram of drawn values" + (expected ? " with the declared distribution (line)" : "");
    counts.forEach(function (c, i) {
      svg.appendChild(svgNode("rect", { x: x(edges[i]), y: y(c), width: Math.max(x(edges[i + 1]) - x(edges[i]) - 0.5, 0.5), height: height - pad - y(c), fill: "#8fb3e8" }));
    });
    if (expected) {
      var points = [];
      expected.forEach(function (e, i) { points.push(x(edges[i]) + "," + y(e)); points.push(x(edges[i + 1]) + "," + y(e)); });
      svg.appendChild(svgNode("polyline", { points: points.join(" "), fill: "none", stroke: "#c62828", "stroke-width": 1.5 }));
    }
    svg.appendChild(svgNode("line", { x1: pad, x2: width - pad, y1: height - pad, y2: height - pad, stroke: "#999" }));
    var left = svgNode("text", { x: pad, y: height - 6 }); left.textContent = fmt(lo); svg.appendChild(left);
    var right = svgNode("text", { x: width - pad, y: height - 6, "text-anchor": "end" }); right.textContent = fmt(hi); svg.appendChild(right);
    return svg;
  }
  function show(id) {
    var item = evidence[id];
    if (!item) return;
    panel.textContent = "";
    panel.classList.remove("hidden");
    panel.appendChild(el("h3", item.title));
    var dl = el("dl");
    var add = function (k, v) { if (v === null || v === undefined || v === "") return; dl.appendChild(el("dt", k)); dl.appendChild(el("dd", fmt(v))); };
    add("status", item.status); add("reason", item.error_type ? item.error_type + ": " + item.reason : item.reason);
    add("declared initializer", item.initializer); add("module", item.module);
    add("layer holds", item.held_by_layer); add("resolved by", item.resolved_by);
    add("declared distribution", item.theory); add("measured fingerprint", item.fingerprint);
    add("fit", item.fit); add("fit detail", item.fit_detail);
    add("change vs previous", item.change); add("change detail", item.change_detail);
    add("shape", item.shape); add("fan_in / fan_out", item.fan_in === undefined || item.fan_in === null ? null : item.fan_in + " / " + item.fan_out + " (" + item.fan_source + ")");
    if (item.seeded) { add("seed", item.seeded.seed + " via " + item.seeded.seed_call); add("seeded sha256", item.seeded.sha256); add("first values", item.seeded.first_values); add("repeats in-process", item.seeded.repeats_in_process); add("seeding error", item.seeded.error); add("reproducibility group", item.group); }
    if (item.graph_evidence) add("graph ops", item.graph_evidence);
    panel.appendChild(dl);
    if (item.status === "ok") {
      panel.appendChild(el("h3", "Drawn values"));
      panel.appendChild(histogram(item.histogram));
      var table = el("table"), head = el("tr"), body = el("tr");
      Object.keys(item.moments).forEach(function (k) { head.appendChild(el("th", k)); body.appendChild(el("td", fmt(item.moments[k]))); });
      table.appendChild(head); table.appendChild(body);
      var wrap = el("div", null, "scroll"); wrap.appendChild(table); panel.appendChild(wrap);
      panel.appendChild(el("h3", "Config"));
      panel.appendChild(el("pre", item.config));
    }
    panel.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-cell]");
    if (!target) return;
    if (target.tagName === "A") event.preventDefault();
    show(target.getAttribute("data-cell"));
    history.replaceState(null, "", "#" + target.getAttribute("data-cell"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.getAttribute && event.target.getAttribute("data-cell")) show(event.target.getAttribute("data-cell"));
  });
  var family = document.getElementById("filter-family"), layer = document.getElementById("filter-layer"), changed = document.getElementById("filter-changed");
  function filter() {
    Array.prototype.forEach.call(document.querySelectorAll("#matrix-table tbody tr"), function (row) {
      var visible = (!family.value || row.getAttribute("data-family") === family.value) &&
        (!layer.value || row.getAttribute("data-layer") === layer.value) &&
        (!changed.checked || row.getAttribute("data-changed") === "yes");
      row.classList.toggle("hidden", !visible);
    });
  }
  [family, layer, changed].forEach(function (control) { control.addEventListener("change", filter); });
  if (location.hash && evidence[location.hash.slice(1)]) show(location.hash.slice(1));
})();
