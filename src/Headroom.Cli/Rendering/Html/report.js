// Headroom HTML report: builds the page from the embedded JSON report (docs/json-schema.md) with Chart.js.
// It computes no analysis: it picks, formats and draws what the JSON holds. Data never reaches innerHTML.
(function () {
  "use strict";
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById("headroom-data").textContent);
  var app = document.getElementById("app");
  var charts = {};
  window.headroomCharts = charts;
  window.headroomReport = data;

  var CLASSES = [
    { key: "computation_ns", label: "Computation", color: "#4c78a8" },
    { key: "communication_ns", label: "Communication (exposed)", color: "#f58518" },
    { key: "memcpy_ns", label: "Memcpy", color: "#54a24b" },
    { key: "memset_ns", label: "Memset", color: "#b279a2" },
    { key: "other_ns", label: "Other", color: "#9d9d9d" },
    { key: "idle_ns", label: "Idle", color: "#d5dbe1" }
  ];
  var BOUND_COLORS = { compute: "#4c78a8", memory: "#e45756", latency: "#d4a72c", communication: "#f58518", unknown: "#9aa0a6" };

  // ---------- formatting ----------
  function num(v, digits) { return v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }); }
  function fmtNs(ns) {
    if (ns === null || ns === undefined || isNaN(ns)) return "–";
    var a = Math.abs(ns);
    if (a >= 1e9) return num(ns / 1e9, 2) + " s";
    if (a >= 1e6) return num(ns / 1e6, a >= 1e8 ? 0 : a >= 1e7 ? 1 : 2) + " ms";
    if (a >= 1e3) return num(ns / 1e3, a >= 1e5 ? 0 : 1) + " µs";
    return num(ns, 0) + " ns";
  }
  function fmtPct(f, digits) {
    if (f === null || f === undefined || isNaN(f)) return "–";
    var p = f * 100;
    // Small shares keep two significant digits (an MFU of 0.03% is not 0.0%).
    if (digits === undefined) digits = p !== 0 && Math.abs(p) < 0.1 ? Math.min(4, 1 - Math.floor(Math.log10(Math.abs(p)))) : 1;
    return num(p, digits) + "%";
  }
  function fmtGbps(v) { return v === null || v === undefined ? "–" : num(v, v >= 10 ? 1 : v >= 0.1 ? 2 : 3) + " GB/s"; }
  function fmtSi(v, unit) {
    if (v === null || v === undefined || isNaN(v)) return "–";
    if (v === 0) return "0 " + unit;
    var prefixes = [[1e15, "P"], [1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < prefixes.length; i++) {
      if (Math.abs(v) >= prefixes[i][0]) { var s = v / prefixes[i][0]; return num(s, s >= 100 ? 0 : s >= 10 ? 1 : 2) + " " + prefixes[i][1] + unit; }
    }
    return num(v, v >= 10 ? 0 : 2) + " " + unit;
  }
  function fmtFlops(v) { return fmtSi(v, "FLOP/s"); }
  // Axis ticks at powers of ten: "100 T", "1 P", "0.01".
  function fmtDecade(v, unit) {
    var prefixes = [[1e15, "P"], [1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < prefixes.length; i++) if (v >= prefixes[i][0]) return String(Math.round(v / prefixes[i][0])) + " " + prefixes[i][1] + unit;
    return (v >= 1 ? String(Math.round(v)) : String(Number(v.toPrecision(1)))) + (unit ? " " + unit : "");
  }
  function fmtBytes(v) { return fmtSi(v, "B"); }
  function fmtInt(v) { return v === null || v === undefined ? "–" : num(v, 0); }
  function fmtNum(v, d) { return v === null || v === undefined || isNaN(v) ? "–" : v === 0 ? "0" : num(v, d); }
  function baseName(p) { return p ? String(p).split(/[\\/]/).pop() : ""; }
  function distinctFiles(list) { return new Set(list.map(function (i) { return i.path; })).size; }
  function clip(s, n) { s = String(s === null || s === undefined ? "" : s); return s.length > n ? s.slice(0, n - 1) + "…" : s; }
  function rankList(ranks) {
    if (ranks.length === 0) return "";
    var sorted = ranks.slice().sort(function (a, b) { return a - b; });
    var parts = [], start = sorted[0], prev = sorted[0];
    for (var i = 1; i <= sorted.length; i++) {
      if (i < sorted.length && sorted[i] === prev + 1) { prev = sorted[i]; continue; }
      parts.push(start === prev ? String(start) : start + "–" + prev);
      if (i < sorted.length) { start = prev = sorted[i]; }
    }
    return (sorted.length === 1 ? "rank " : "ranks ") + parts.join(", ");
  }

  // ---------- DOM ----------
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] === null || attrs[k] === undefined) continue;
        if (k === "text") e.textContent = attrs[k];
        else if (k === "cls") e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }
  function append(parent, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(parent, c); }); return; }
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  function code(text) { return el("code", { text: text }); }
  function missing(title) {
    var box = el("div", { cls: "missing" }, el("strong", { text: title }));
    for (var i = 1; i < arguments.length; i++) append(box, arguments[i]);
    return box;
  }
  function pill(text, kind) { return el("span", { cls: "pill " + (kind || text || ""), text: text }); }
  function section(id, title, lede) {
    var s = el("section", { cls: "card", id: id }, el("h2", { text: title }));
    if (lede) s.appendChild(el("p", { cls: "lede", text: lede }));
    return s;
  }
  function guard(target, name, build) {
    try { build(); } catch (e) {
      console.error("headroom report: section " + name + " failed", e);
      target.appendChild(el("div", { cls: "section-error", text: "This section could not be drawn: " + e.message }));
    }
  }

  // ---------- sortable, filterable table ----------
  // columns: { label, value(row) -> sortable value, show(row) -> string|Node, num, cls, title(row) }
  function dataTable(columns, rows, options) {
    options = options || {};
    var wrap = el("div", { cls: "table-block" });
    var filter = el("input", { type: "search", placeholder: options.placeholder || "Filter rows…", "aria-label": "Filter rows" });
    var count = el("span", { cls: "count" });
    wrap.appendChild(el("div", { cls: "table-tools" }, filter, count));
    var table = el("table", { cls: "data" });
    if (options.id) table.id = options.id;
    var thead = el("thead"), headRow = el("tr"), tbody = el("tbody");
    var sortIndex = options.sortIndex === undefined ? -1 : options.sortIndex, sortDesc = options.sortDesc !== false;
    var arrows = [];
    columns.forEach(function (c, i) {
      var arrow = el("span", { cls: "arrow" });
      arrows.push(arrow);
      var th = el("th", { cls: c.num ? "num" : null, title: "Sort by " + c.label.toLowerCase() }, c.label, arrow);
      th.addEventListener("click", function () {
        if (sortIndex === i) sortDesc = !sortDesc; else { sortIndex = i; sortDesc = !!c.num; }
        draw();
      });
      headRow.appendChild(th);
    });
    thead.appendChild(headRow);
    table.appendChild(thead);
    table.appendChild(tbody);
    wrap.appendChild(el("div", { cls: "table-scroll" }, table));
    var texts = rows.map(function (r) {
      return columns.map(function (c) {
        var s = c.show ? c.show(r) : c.value(r), v = c.value(r);
        return (typeof s === "string" ? s : (s && s.textContent) || "") + (typeof v === "string" && v !== s ? " " + v : "");
      }).join(" ").toLowerCase();
    });
    function draw() {
      var q = filter.value.trim().toLowerCase();
      var idx = [];
      for (var i = 0; i < rows.length; i++) if (!q || texts[i].indexOf(q) >= 0) idx.push(i);
      if (sortIndex >= 0) {
        var c = columns[sortIndex];
        idx.sort(function (a, b) {
          var x = c.value(rows[a]), y = c.value(rows[b]);
          if (x === y) return a - b;
          if (x === null || x === undefined) return 1;
          if (y === null || y === undefined) return -1;
          var cmp = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
          return sortDesc ? -cmp : cmp;
        });
      }
      arrows.forEach(function (a, i) { a.textContent = i === sortIndex ? (sortDesc ? "▼" : "▲") : ""; });
      tbody.textContent = "";
      idx.forEach(function (i) {
        var r = rows[i];
        var tr = el("tr", { cls: options.rowClass ? options.rowClass(r) : null });
        columns.forEach(function (c) {
          var shown = c.show ? c.show(r) : c.value(r);
          var td = el("td", { cls: [c.num ? "num" : "", c.cls || ""].join(" ").trim() || null });
          if (c.title) td.title = c.title(r);
          append(td, shown === null || shown === undefined ? "–" : typeof shown === "number" ? String(shown) : shown);
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      if (idx.length === 0) tbody.appendChild(el("tr", { cls: "empty-row" }, el("td", { colspan: String(columns.length), text: rows.length ? "No row matches the filter." : "No rows." })));
      count.textContent = idx.length === rows.length ? rows.length + (rows.length === 1 ? " row" : " rows") : idx.length + " of " + rows.length + " rows";
    }
    filter.addEventListener("input", draw);
    draw();
    return wrap;
  }

  // ---------- charts ----------
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#52606d";
  Chart.defaults.borderColor = "#e4e7eb";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  Chart.defaults.plugins.legend.labels.boxHeight = 12;
  Chart.defaults.plugins.tooltip.backgroundColor = "rgba(31,41,51,0.94)";
  Chart.defaults.plugins.tooltip.padding = 10;
  Chart.defaults.plugins.tooltip.bodyFont = { size: 12 };

  function chartBox(cls) { var c = el("canvas"); return { box: el("div", { cls: "chart-box " + (cls || "") }, c), canvas: c }; }
  function destroy(name) { if (charts[name]) { charts[name].destroy(); delete charts[name]; } }

  function classLegend() {
    return el("div", { cls: "legend-row" }, CLASSES.map(function (c) { return el("span", null, el("i", { style: "background:" + c.color }), c.label); }));
  }

  function breakdownChart(name, canvas, labels, breakdowns, asShare, titleFor) {
    destroy(name);
    var datasets = CLASSES.map(function (c) {
      return {
        label: c.label, backgroundColor: c.color, borderWidth: 0, classKey: c.key, maxBarThickness: 72,
        data: breakdowns.map(function (b) { if (!b) return 0; var v = b[c.key] || 0; return asShare ? (b.window_ns > 0 ? 100 * v / b.window_ns : 0) : v / 1e6; })
      };
    });
    charts[name] = new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: {
            mode: "index", intersect: false,
            callbacks: {
              title: function (items) { return titleFor(items[0].dataIndex); },
              label: function (item) {
                var b = breakdowns[item.dataIndex], ns = b ? b[item.dataset.classKey] || 0 : 0;
                return item.dataset.label + ": " + fmtNs(ns) + " (" + fmtPct(b && b.window_ns > 0 ? ns / b.window_ns : 0) + ")";
              }
            }
          }
        },
        scales: {
          x: { stacked: true, grid: { display: false } },
          y: { stacked: true, max: asShare ? 100 : undefined, title: { display: true, text: asShare ? "share of the analysed window (%)" : "device time (ms)" } }
        }
      }
    });
  }

  function plottable(op) { return op.intensity > 0 && op.time_ns > 0 && op.achieved_flops_per_s > 0; }

  function rooflineChart(canvas, rank) {
    destroy("roofline");
    var ops = (rank.roofline && rank.roofline.ops || []).filter(plottable).slice(0, 50);
    var hw = rank.hardware || {}, bw = hw.memory_bandwidth_bytes_per_s, peaks = hw.peaks || [];
    var maxTime = Math.max.apply(null, ops.map(function (o) { return o.time_ns; }));
    var xs = ops.map(function (o) { return o.intensity; }), ys = ops.map(function (o) { return o.achieved_flops_per_s; });
    // Roofs: one per distinct peak, dtypes sharing a value share a line.
    var roofs = [];
    peaks.forEach(function (p) {
      var r = roofs.filter(function (x) { return x.flops === p.flops_per_s; })[0];
      if (!r) { r = { flops: p.flops_per_s, names: [], used: false }; roofs.push(r); }
      var n = p.dtype + " " + p.unit;
      if (r.names.indexOf(n) < 0) r.names.push(n);
    });
    ops.forEach(function (o) { roofs.forEach(function (r) { if (r.flops === o.peak_flops_per_s) r.used = true; }); });
    roofs.sort(function (a, b) { return b.flops - a.flops; });
    var maxPeak = roofs.length ? roofs[0].flops : 0;
    var ridges = bw ? roofs.map(function (r) { return r.flops / bw; }) : [];
    var xmin = Math.pow(10, Math.floor(Math.log10(Math.min.apply(null, xs.concat(ridges.map(function (r) { return r / 20; })).concat([1])) / 2)));
    var xmax = Math.pow(10, Math.ceil(Math.log10(Math.max.apply(null, xs.concat(ridges).concat([10])) * 3)));
    var ymin = Math.pow(10, Math.floor(Math.log10(Math.min.apply(null, ys.length ? ys : [maxPeak / 1e4 || 1e9]) / 3)));
    var ymax = Math.pow(10, Math.ceil(Math.log10(Math.max.apply(null, ys.concat([maxPeak])) * 1.5)));
    var datasets = [];
    if (bw && roofs.length) {
      datasets.push({
        type: "line", label: "memory " + fmtSi(bw, "B/s"), headroomKind: "roof",
        data: [{ x: xmin, y: bw * xmin }, { x: maxPeak / bw, y: maxPeak }],
        borderColor: "#1f2933", borderWidth: 2, pointRadius: 0, pointHitRadius: 0, pointStyle: "line", fill: false
      });
      var shades = ["#1f2933", "#3e4c59", "#616e7c", "#7b8794", "#9aa5b1", "#b8c1cc", "#cbd2d9"];
      roofs.forEach(function (r, i) {
        datasets.push({
          type: "line", label: r.names.join(", ") + " " + fmtFlops(r.flops), headroomKind: "roof",
          data: [{ x: r.flops / bw, y: r.flops }, { x: xmax, y: r.flops }],
          borderColor: r.used ? "#1f2933" : shades[Math.min(i + 2, shades.length - 1)], borderWidth: r.used ? 2 : 1,
          borderDash: r.used ? [] : [5, 4], pointRadius: 0, pointHitRadius: 0, pointStyle: "line", fill: false
        });
      });
    }
    ["compute", "memory", "latency", "unknown"].forEach(function (bound) {
      // Largest first, so small marks are drawn on top of large ones and stay reachable.
      var these = ops.filter(function (o) { return (BOUND_COLORS[o.bound] && o.bound !== "communication" ? o.bound : "unknown") === bound; })
        .sort(function (a, b) { return b.time_ns - a.time_ns; });
      if (!these.length) return;
      datasets.push({
        type: "scatter", label: bound === "unknown" ? "ops (bound unknown)" : bound + "-bound ops", headroomKind: "ops",
        data: these.map(function (o) { return { x: o.intensity, y: o.achieved_flops_per_s, op: o }; }),
        backgroundColor: BOUND_COLORS[bound] + "b3", borderColor: BOUND_COLORS[bound], borderWidth: 1, pointStyle: "circle",
        pointRadius: these.map(function (o) { return Math.max(3.5, Math.min(22, 22 * Math.sqrt(o.time_ns / maxTime))); }),
        pointHoverRadius: these.map(function (o) { return Math.max(5, Math.min(24, 24 * Math.sqrt(o.time_ns / maxTime))); })
      });
    });
    charts.roofline = new Chart(canvas, {
      type: "scatter",
      data: { datasets: datasets },
      options: {
        // One op per tooltip: the mark nearest the pointer (marks of ops with the same shape class often overlap).
        interaction: { mode: "nearest", intersect: true, axis: "xy" },
        plugins: {
          legend: { position: "right", labels: { usePointStyle: true, pointStyleWidth: 22, padding: 10 } },
          tooltip: {
            filter: function (item) { return item.dataset.headroomKind === "ops"; },
            displayColors: false,
            callbacks: {
              title: function (items) { return items.length ? items[0].raw.op.name : ""; },
              label: function (item) {
                var o = item.raw.op;
                return [
                  "shapes: " + clip(o.input_dims || "–", 90),
                  "dtype: " + (o.dtype || "–") + (o.unit ? " (" + o.unit + ")" : "") + (o.peak ? ", peak " + o.peak : ""),
                  "efficiency: " + fmtPct(o.efficiency) + ", " + (o.bound || "unknown") + "-bound",
                  "achieved: " + fmtFlops(o.achieved_flops_per_s) + " at " + fmtNum(o.intensity, o.intensity < 10 ? 2 : 0) + " FLOP/B",
                  "time: " + fmtNs(o.time_ns) + " in " + fmtInt(o.count) + (o.count === 1 ? " call" : " calls")
                ];
              }
            }
          }
        },
        scales: {
          x: { type: "logarithmic", min: xmin, max: xmax, title: { display: true, text: "arithmetic intensity (FLOP / byte)" },
               ticks: { callback: function (v) { return isDecade(v) ? fmtDecade(v, "") : ""; } } },
          y: { type: "logarithmic", min: ymin, max: ymax, title: { display: true, text: "achieved FLOP/s" },
               ticks: { callback: function (v) { return isDecade(v) ? fmtDecade(v, "FLOP/s") : ""; } } }
        }
      }
    });
    return ops.length;
  }
  function isDecade(v) { var l = Math.log10(v); return Math.abs(l - Math.round(l)) < 1e-9; }

  // ---------- data views ----------
  var ranks = data.ranks || [];
  var multi = ranks.length > 1;
  var noGpu = ranks.filter(function (r) { return !r.activities; });
  var noSteps = ranks.filter(function (r) { return r.activities && (!r.steps || r.steps.length === 0); });
  var noHw = ranks.filter(function (r) { return r.activities && !(r.hardware && r.hardware.id); });
  var firstRoofline = ranks.findIndex(function (r) { return r.roofline && r.roofline.ops.some(plottable); });
  var state = { rank: firstRoofline >= 0 ? firstRoofline : Math.max(0, ranks.findIndex(function (r) { return r.activities > 0; })) };

  function hwFix() { return ["Name the device with ", code("--hardware NAME"), " (see ", code("headroom hardware list"), ") or describe it in ", code("--hardware-file FILE"), "."]; }
  function noGpuText() { return ["The trace has no kernels, copies or sets, so there is no device time to break down. Profile with the device activity enabled (", code("ProfilerActivity.CUDA"), " in torch.profiler)."]; }
  function noStepsText() {
    var xspace = (data.inputs || []).some(function (i) { return i.metadata && i.metadata.format === "XSpace" || /\.xplane\.pb$/.test(i.path); });
    return xspace
      ? ["The trace has no step annotations, so the whole trace is analysed as one window and nothing is per step. In JAX, wrap each step in ", code("jax.profiler.StepTraceAnnotation(\"train\", step_num=i)"), " when profiling."]
      : ["The trace has no ", code("ProfilerStep#N"), " annotations, so the whole trace is analysed as one window and nothing is per step. Call ", code("prof.step()"), " once per iteration when profiling."];
  }

  // ---------- page ----------
  var inputs = data.inputs || [];
  var devices = Array.from(new Set(ranks.map(function (r) { return r.hardware && r.hardware.name || r.device; }).filter(Boolean)));
  document.title = "Headroom report · " + (devices[0] || "unknown device") + " · " + ranks.length + (ranks.length === 1 ? " rank" : " ranks");

  var header = el("header", { cls: "top" }, el("div", { cls: "wrap" },
    el("h1", null, el("span", { cls: "brand", text: "Headroom" }), "performance report"),
    el("div", { cls: "meta" },
      el("span", { text: distinctFiles(inputs) === 1 ? baseName(inputs[0].path) : distinctFiles(inputs) + " trace files" + (inputs.length ? " in " + baseName(inputs[0].path.replace(/[\\/][^\\/]*$/, "")) : "") }),
      el("span", { text: devices.length ? devices.join(", ") : "device not recognised" }),
      el("span", { text: ranks.length + (ranks.length === 1 ? " rank" : " ranks") }),
      data.steps_selected ? el("span", { text: "steps " + data.steps_selected }) : null,
      el("span", { text: "headroom " + data.tool.version + (data.conventions === "hta" ? " (HTA conventions)" : "") }))));

  var navWrap = el("div", { cls: "wrap" });
  [["summary", "Summary"], ["breakdown", "Breakdown"], ["roofline", "Roofline"], ["tables", "Kernels & ops"], ["job", multi ? "Ranks & collectives" : "Ranks"], ["diagnostics", "Diagnostics"]]
    .forEach(function (a) { navWrap.appendChild(el("a", { href: "#" + a[0], text: a[1] })); });
  navWrap.appendChild(el("span", { cls: "spacer" }));
  var rankSelect = null;
  if (multi) {
    rankSelect = el("select", { id: "rank-select", "aria-label": "Rank shown in the per-rank sections" });
    ranks.forEach(function (r, i) { var o = el("option", { value: String(i), text: "rank " + r.rank }); if (i === state.rank) o.selected = true; rankSelect.appendChild(o); });
    navWrap.appendChild(el("label", { "for": "rank-select", text: "Per-rank sections show" }));
    navWrap.appendChild(rankSelect);
  }
  var nav = el("nav", { cls: "bar" }, navWrap);
  var main = el("main", { cls: "wrap" });
  app.textContent = "";
  app.appendChild(header);
  app.appendChild(nav);
  app.appendChild(main);

  // Missing data, said once at the top.
  var notices = el("div", { cls: "notices", id: "notices" });
  if (ranks.length === 0) notices.appendChild(el("div", { cls: "notice error" }, el("strong", { text: "No rank was analysed." }), "The inputs held no trace this report could use; see the diagnostics below."));
  if (noGpu.length) notices.appendChild(el("div", { cls: "notice", "data-missing": "gpu" }, el("strong", { text: "No GPU events in " + rankList(noGpu.map(function (r) { return r.rank; })) + "." }), noGpuText()));
  if (noSteps.length) notices.appendChild(el("div", { cls: "notice", "data-missing": "steps" }, el("strong", { text: "No steps in " + rankList(noSteps.map(function (r) { return r.rank; })) + "." }), noStepsText()));
  if (noHw.length) {
    var names = Array.from(new Set(noHw.map(function (r) { return r.device ? "\u201c" + r.device + "\u201d" : "an unnamed device"; })));
    notices.appendChild(el("div", { cls: "notice", "data-missing": "hardware" }, el("strong", { text: "Unknown hardware in " + rankList(noHw.map(function (r) { return r.rank; })) + ": no catalog device matches " + names.join(", ") + "." }),
      "Without the device's peaks there is no roofline ceiling, efficiency, bound or MFU. ", hwFix()));
  }
  if (notices.childNodes.length) main.appendChild(notices);

  var sections = {};
  ["summary", "breakdown", "roofline", "tables", "job", "diagnostics"].forEach(function (id) { sections[id] = el("div"); main.appendChild(sections[id]); });

  function mean(values) { var v = values.filter(function (x) { return x !== null && x !== undefined && !isNaN(x); }); return v.length ? v.reduce(function (a, b) { return a + b; }, 0) / v.length : null; }

  function kpi(label, value, note, small) {
    return el("div", { cls: "kpi" }, el("div", { cls: "label", text: label }), el("div", { cls: "value" + (small ? " small" : ""), text: value, title: value }), note ? el("div", { cls: "note", text: note, title: note }) : null);
  }

  function buildSummary() {
    var s = section("summary", "Summary", null);
    var r = ranks[state.rank];
    var hwNames = Array.from(new Set(ranks.map(function (x) { return x.hardware && x.hardware.name; }).filter(Boolean)));
    var rawNames = Array.from(new Set(ranks.map(function (x) { return x.device; }).filter(Boolean)));
    var hwValue = hwNames.length ? hwNames.join(", ") : "unknown";
    var hwNote = hwNames.length ? (ranks[0].hardware.memory_bandwidth_bytes_per_s ? fmtSi(ranks[0].hardware.memory_bandwidth_bytes_per_s, "B/s") + " memory" : "")
      : rawNames.length ? "\u201c" + rawNames.join(", ") + "\u201d is not in the catalog" : "the trace names no device";
    var stepCounts = ranks.map(function (x) { return (x.steps || []).length; });
    var stepNums = r ? (r.steps || []).map(function (x) { return x.number; }).filter(function (n) { return n !== null; }) : [];
    var stepsValue = Math.max.apply(null, stepCounts.concat([0]));
    var stepsNote = stepsValue ? (stepNums.length ? "steps " + Math.min.apply(null, stepNums) + (stepNums.length > 1 ? "–" + Math.max.apply(null, stepNums) : "") : "") : "no step annotations";
    var stepTimes = ranks.filter(function (x) { return x.headroom && !x.headroom.per_window && x.headroom.steps > 0; }).map(function (x) { return x.headroom.step_time_ns; });
    var stepTime = mean(stepTimes);
    var st = data.stragglers && data.stragglers.step_time;
    var stepNote = st && st.slowest_rank >= 0 ? "slowest: rank " + st.slowest_rank + ", spread " + fmtNs(st.rank_mean_spread_ns) : (stepTime !== null ? "mean over " + stepTimes.length + (stepTimes.length === 1 ? " rank" : " ranks") : noGpu.length === ranks.length ? "no GPU events" : "no steps");
    var mfus = ranks.map(function (x) { return x.mfu && x.mfu.mfu; }).filter(function (v) { return v !== null && v !== undefined; });
    var mfu = mean(mfus);
    var mfuNote = mfu !== null ? (ranks[0].mfu.peaks[0] ? "of " + ranks[0].mfu.peaks[0] : "") : "needs a recognised device";
    var busy = mean(ranks.filter(function (x) { return x.breakdown && x.breakdown.window_ns > 0; }).map(function (x) { return x.breakdown.busy_ns / x.breakdown.window_ns; }));
    s.appendChild(el("div", { cls: "kpis" },
      kpi("Hardware", hwValue, hwNote, hwValue.length > 18),
      kpi("Ranks", String(ranks.length), multi ? (data.stragglers && data.stragglers.named.length ? "straggler: " + rankList(data.stragglers.named) : "no straggler") : (r ? "rank " + r.rank : "")),
      kpi("Steps", stepsValue ? String(stepsValue) : "none", stepsNote),
      kpi("Step time", stepTime !== null ? fmtNs(stepTime) : "–", stepNote),
      kpi("MFU", mfu !== null ? fmtPct(mfu) : "–", mfuNote),
      kpi("GPU busy", busy !== null ? fmtPct(busy) : "–", busy !== null ? "idle " + fmtPct(1 - busy) + " of the window" : "no GPU events")));

    var items = (data.job_headroom && data.job_headroom.items || []).slice();
    if (r && r.headroom) items = items.concat(r.headroom.items);
    items.sort(function (a, b) { return b.saving_ns_per_step - a.saving_ns_per_step; });
    var perWindow = r && r.headroom && r.headroom.per_window;
    s.appendChild(el("h3", null, "Top headroom", el("span", { cls: "sub", text: (multi ? "job items and rank " + (r ? r.rank : "") + "'s, " : "") + "largest saving first; " + (perWindow ? "seconds saved per analysed window (no steps)" : "seconds saved per step") })));
    if (!items.length) {
      s.appendChild(missing(r && r.activities ? "No headroom item." : "No headroom to rank.", r && r.activities ? "Nothing in this rank stood out as recoverable time." : "Without device activity there is no device time to recover."));
    } else {
      var maxShare = Math.max.apply(null, items.map(function (i) { return i.share_of_step || 0; }).concat([0.0001]));
      var t = el("table", { cls: "items", id: "headroom-items" });
      items.slice(0, 8).forEach(function (i) {
        t.appendChild(el("tr", null,
          el("td", { cls: "saving" }, el("b", { text: fmtNs(i.saving_ns_per_step) }), el("span", { cls: "share", text: fmtPct(i.share_of_step) + (perWindow ? " of the window" : " of the step") }),
            el("div", { cls: "share-bar" }, el("span", { style: "width:" + (100 * (i.share_of_step || 0) / maxShare).toFixed(1) + "%" }))),
          el("td", { cls: "what" }, el("div", { cls: "title", text: i.title }), el("div", { cls: "detail", text: i.evidence }), i.suggestion ? el("div", { cls: "fix", text: i.suggestion }) : null),
          el("td", { style: "width:1%;white-space:nowrap" }, pill(i.bound), i.rank !== null && i.rank !== undefined ? el("div", { cls: "detail", style: "margin-top:4px;color:#7b8794;font-size:12px", text: "rank " + i.rank }) : null)));
      });
      s.appendChild(t);
      if (items.length > 8) s.appendChild(el("p", { cls: "lede", style: "margin-top:8px", text: (items.length - 8) + " smaller items are in the JSON report (headroom analyze --json)." }));
    }
    return s;
  }

  function buildBreakdown() {
    var s = section("breakdown", "GPU time breakdown", "Where each rank's device time went: computation, communication not hidden under computation, copies, sets, and idle time with no stream busy.");
    var withGpu = ranks.filter(function (r) { return r.activities > 0 && r.breakdown && r.breakdown.window_ns > 0; });
    if (!withGpu.length) { s.appendChild(missing("No GPU events, so no breakdown.", "The trace has no kernels, copies or sets (see the note at the top).")); return s; }
    s.appendChild(classLegend());
    var grid = el("div", { cls: "grid2" });
    var left = el("div"), right = el("div");
    grid.appendChild(left); grid.appendChild(right);
    s.appendChild(grid);
    left.appendChild(el("div", { cls: "chart-title" }, "Per rank", el("span", { cls: "sub", text: "share of each rank's window" })));
    var a = chartBox();
    left.appendChild(a.box);
    var r = ranks[state.rank];
    right.appendChild(el("div", { cls: "chart-title" }, "Per step", el("span", { cls: "sub", text: "rank " + (r ? r.rank : "") + ", device time per step" })));
    var b = chartBox();
    if (r && r.steps && r.steps.length) right.appendChild(b.box);
    else right.appendChild(missing("No steps in rank " + (r ? r.rank : "") + ".", noStepsText()));
    // The per-rank chart draws once the boxes are in the page (Chart.js sizes to its container).
    s.drawCharts = function () {
      breakdownChart("breakdownRanks", a.canvas, ranks.map(function (x) { return "rank " + x.rank; }), ranks.map(function (x) { return x.breakdown; }), true,
        function (i) { return "rank " + ranks[i].rank + " · window " + fmtNs(ranks[i].breakdown.window_ns); });
      if (r && r.steps && r.steps.length) {
        breakdownChart("breakdownSteps", b.canvas, r.steps.map(function (x) { return x.number !== null ? "#" + x.number : x.name; }), r.steps.map(function (x) { return x.breakdown; }), false,
          function (i) { return r.steps[i].name + " · " + fmtNs(r.steps[i].breakdown.window_ns); });
      }
    };
    var facts = el("div", { cls: "facts", style: "margin-top:12px" });
    if (r && r.breakdown) {
      var bd = r.breakdown;
      append(facts, [
        el("span", null, "Rank " + r.rank + ": window ", el("b", { text: fmtNs(bd.window_ns) })),
        el("span", null, "busy ", el("b", { text: fmtPct(bd.window_ns ? bd.busy_ns / bd.window_ns : null) })),
        bd.communication_total_ns > 0 ? el("span", null, "communication hidden under computation ", el("b", { text: bd.communication_overlap_pct === null ? "–" : fmtNum(bd.communication_overlap_pct, 1) + "%" }), " of " + fmtNs(bd.communication_total_ns)) : null,
        r.idle ? el("span", null, "idle waiting on the host ", el("b", { text: fmtNs(r.idle.host_wait_ns) }), ", on kernels ", el("b", { text: fmtNs(r.idle.kernel_wait_ns) })) : null,
        r.launch && r.launch.launch_delay && r.launch.launch_delay.p50_ns !== null ? el("span", null, "median launch delay ", el("b", { text: fmtNs(r.launch.launch_delay.p50_ns) })) : null
      ]);
      s.appendChild(facts);
    }
    return s;
  }

  function buildRoofline() {
    var r = ranks[state.rank];
    var s = section("roofline", "Roofline" + (r ? " · rank " + r.rank : ""), "Each op with a FLOP/byte estimate is a point: how much it computed per byte moved against the FLOP/s it reached. Point area is proportional to device time; lines are the device's ceilings per dtype.");
    if (!r) { s.appendChild(missing("No rank to draw.", "See the diagnostics below.")); return s; }
    var hasHw = r.hardware && r.hardware.id;
    var ops = (r.roofline && r.roofline.ops || []).filter(plottable);
    if (!r.activities) { s.appendChild(missing("No GPU events, so no roofline.", "Ops are placed by the device time of the kernels they launched; this rank has none.")); return s; }
    if (!hasHw) s.appendChild(missing("Unknown hardware: no ceilings, efficiency or bound.", "No catalog device matches " + (r.device ? "\u201c" + r.device + "\u201d" : "this trace's device") + ". ", hwFix()));
    if (!ops.length) {
      s.appendChild(missing("No op has a FLOP/byte estimate.", "An op needs its input shapes and dtypes to be placed on the roofline: profile with ", code("record_shapes=True"),
        ". " + ((r.roofline && r.roofline.no_estimate || []).length ? (r.roofline.no_estimate.length + " ops were seen without an estimate (see the JSON report's roofline.no_estimate).") : "")));
      return s;
    }
    var box = chartBox("tall");
    s.appendChild(box.box);
    var rf = r.roofline;
    s.appendChild(el("div", { cls: "facts", style: "margin-top:8px" },
      el("span", null, el("b", { text: String(Math.min(ops.length, 50)) }), " ops plotted" + (rf.ops.length > ops.length ? ", " + (rf.ops.length - ops.length) + " without an intensity left out" : "")),
      el("span", null, "cost coverage ", el("b", { text: fmtPct(rf.cost_coverage) }), " of computation time"),
      r.mfu && r.mfu.mfu !== null ? el("span", null, "MFU ", el("b", { text: fmtPct(r.mfu.mfu) }), r.mfu.hfu !== r.mfu.mfu ? ", HFU " + fmtPct(r.mfu.hfu) : "") : null,
      hasHw ? el("span", null, "device ", el("b", { text: r.hardware.name }), " (" + r.hardware.confidence + " confidence)") : null));
    if (rf.notes && rf.notes.length) {
      var d = el("details", { cls: "notes" }, el("summary", { text: "How these points are computed" }), el("ul", null, rf.notes.map(function (n) { return el("li", { text: n }); })));
      s.appendChild(d);
    }
    s.drawCharts = function () { rooflineChart(box.canvas, r); };
    return s;
  }

  // An HLO instruction ("%copy-done.2 = f32[5,1024]{1,0:T(8,128)} copy-done(...)", a TPU op) shows as its name and result
  // shape without layout, as in the terminal; the full text stays in the title.
  function hloShort(name) {
    var m = /^%([^ ]+) = (\(?)([^{ ]*)/.exec(String(name));
    return m ? m[1] + (m[2] || !m[3] ? "" : " " + m[3]) : name;
  }
  function nameCol(label, get) { return { label: label, value: get, show: function (r) { return hloShort(get(r)); }, cls: "name", title: get }; }
  function nsCol(label, get) { return { label: label, value: get, show: function (r) { return fmtNs(get(r)); }, num: true }; }
  function pctCol(label, get) { return { label: label, value: get, show: function (r) { return fmtPct(get(r)); }, num: true }; }
  function intCol(label, get) { return { label: label, value: get, show: function (r) { return fmtInt(get(r)); }, num: true }; }

  function buildTables() {
    var r = ranks[state.rank];
    var s = section("tables", "Kernels and ops" + (r ? " · rank " + r.rank : ""), "The longest kernels and the CPU ops that launched the most device time; click a column to sort, type to filter.");
    if (!r || !r.activities) { s.appendChild(missing("No GPU events, so no kernels or ops.", "Kernels and the device time of ops come from device activity; this rank has none.")); return s; }
    var kernels = r.breakdown.kernels || [];
    s.appendChild(el("h3", null, "Kernels", el("span", { cls: "sub", text: r.breakdown.distinct_kernels + " distinct names; the top " + Math.max(0, kernels.length - (kernels.some(isOther) ? 1 : 0)) + " by total time" })));
    s.appendChild(dataTable([
      nameCol("Kernel", function (k) { return k.name; }),
      { label: "Category", value: function (k) { return k.category; } },
      intCol("Count", function (k) { return k.count; }),
      nsCol("Total", function (k) { return k.total_ns; }),
      nsCol("Mean", function (k) { return k.mean_ns; }),
      nsCol("p50", function (k) { return k.p50_ns; }),
      nsCol("p95", function (k) { return k.p95_ns; }),
      pctCol("Share of busy", function (k) { return k.share_of_busy; })
    ], kernels, { id: "kernel-table", sortIndex: 3, placeholder: "Filter kernels…", rowClass: function (k) { return isOther(k) ? "other" : null; } }));

    s.appendChild(el("h3", null, "Ops", el("span", { cls: "sub", text: "CPU ops ranked by the device time they launched" })));
    s.appendChild(dataTable([
      nameCol("Op", function (o) { return o.name; }),
      intCol("Calls", function (o) { return o.calls; }),
      intCol("Kernels", function (o) { return o.kernel_count; }),
      nsCol("GPU self", function (o) { return o.gpu_self_ns; }),
      nsCol("GPU inclusive", function (o) { return o.gpu_inclusive_ns; }),
      pctCol("Share of busy", function (o) { return o.share_of_busy; })
    ], r.ops || [], { id: "op-table", sortIndex: 3, placeholder: "Filter ops…" }));

    var rops = r.roofline && r.roofline.ops || [];
    if (rops.length) {
      s.appendChild(el("h3", null, "Ops on the roofline", el("span", { cls: "sub", text: "per op and shape: FLOPs and bytes from the recorded shapes" })));
      s.appendChild(dataTable([
        nameCol("Op", function (o) { return o.name; }),
        { label: "Shapes", value: function (o) { return o.input_dims; }, cls: "name shape", title: function (o) { return o.input_dims; } },
        { label: "Dtype", value: function (o) { return o.dtype; } },
        intCol("Calls", function (o) { return o.count; }),
        nsCol("Time", function (o) { return o.time_ns; }),
        { label: "FLOP/B", value: function (o) { return o.intensity; }, show: function (o) { return fmtNum(o.intensity, o.intensity < 10 ? 2 : 0); }, num: true },
        { label: "Achieved", value: function (o) { return o.achieved_flops_per_s; }, show: function (o) { return fmtFlops(o.achieved_flops_per_s); }, num: true },
        pctCol("Efficiency", function (o) { return o.efficiency; }),
        { label: "Bound", value: function (o) { return o.bound; }, show: function (o) { return o.bound ? pill(o.bound) : "–"; } }
      ], rops, { id: "roofline-table", sortIndex: 4, placeholder: "Filter ops…" }));
    }

    var fops = r.framework_ops && r.framework_ops.ops || [];
    if (fops.length) {
      var fw = r.framework_ops, all = fw.time_ns + fw.unattributed_ns;
      s.appendChild(el("h3", null, "Framework ops", el("span", { cls: "sub", text: "XLA ops grouped by the JAX or TensorFlow op they came from (tf_op): " + fmtPct(all > 0 ? fw.time_ns / all : 0, 1) + " of device time" })));
      s.appendChild(dataTable([
        nameCol("Op", function (o) { return o.name; }),
        { label: "Type", value: function (o) { return o.type; } },
        intCol("Runs", function (o) { return o.occurrences; }),
        intCol("XLA ops", function (o) { return o.xla_ops; }),
        nsCol("Time", function (o) { return o.time_ns; }),
        { label: "FLOP/s", value: function (o) { return o.flops_per_s; }, show: function (o) { return fmtFlops(o.flops_per_s); }, num: true },
        { label: "Bandwidth", value: function (o) { return o.bytes_per_s; }, show: function (o) { return fmtGbps(o.bytes_per_s === null ? null : o.bytes_per_s / 1e9); }, num: true },
        pctCol("Efficiency", function (o) { return o.efficiency; }),
        { label: "Bound", value: function (o) { return o.bound; }, show: function (o) { return o.bound ? pill(o.bound) : "–"; } }
      ], fops, { id: "framework-table", sortIndex: 4, placeholder: "Filter framework ops…" }));
    }
    return s;
  }
  function isOther(k) { return /^other \(/.test(k.name); }

  function buildJob() {
    var s = section("job", multi ? "Ranks and collectives" : "Ranks", multi ? "Step time per rank, who the others waited for, and each collective matched rank to rank." : null);
    var st = data.stragglers;
    if (!multi || !st) {
      s.appendChild(missing(ranks.length === 1 ? "One rank: nothing to compare across ranks." : "No cross-rank results.", ranks.length === 1
        ? "Step-time spread, stragglers and collectives need the traces of two or more ranks of the job: pass them all, or the folder that holds them." : "Cross-rank analysis is off with --rank."));
      return s;
    }
    var stepRanks = st.step_time ? st.step_time.ranks : [];
    var grid = el("div", { cls: "grid2" });
    var left = el("div"), right = el("div");
    grid.appendChild(left); grid.appendChild(right);
    s.appendChild(grid);
    left.appendChild(el("div", { cls: "chart-title" }, "Mean step time per rank", el("span", { cls: "sub", text: st.named.length ? "stragglers in red" : "no straggler" })));
    var box = chartBox();
    if (stepRanks.length) left.appendChild(box.box); else left.appendChild(missing("No step times.", noStepsText()));
    right.appendChild(el("div", { cls: "chart-title" }, "Stragglers", el("span", { cls: "sub", text: st.reliable ? "" : "unreliable: clocks disagree" })));
    right.appendChild(dataTable([
      { label: "Rank", value: function (x) { return x.rank; }, num: true },
      { label: "Straggler", value: function (x) { return x.is_straggler ? 1 : 0; }, show: function (x) { return x.is_straggler ? pill("yes", "yes") : "no"; } },
      { label: "Last", value: function (x) { return x.last_count; }, show: function (x) { return x.last_count + " of " + x.instances; }, num: true },
      nsCol("Others waited", function (x) { return x.cost_ns; }),
      pctCol("Of step", function (x) { return x.cost_share; }),
      nsCol("Mean lateness", function (x) { return x.mean_lateness_ns; })
    ], st.ranks, { id: "straggler-table", sortIndex: 3 }));
    if (st.named.length) {
      right.appendChild(el("p", { cls: "lede", style: "margin-top:8px" }, st.ranks.filter(function (x) { return x.is_straggler; }).map(function (x) { return el("div", { text: "Rank " + x.rank + ": " + x.reason }); })));
    }
    s.drawCharts = function () {
      if (!stepRanks.length) return;
      destroy("stepTimes");
      charts.stepTimes = new Chart(box.canvas, {
        type: "bar",
        data: {
          labels: stepRanks.map(function (x) { return "rank " + x.rank; }),
          datasets: [{ label: "mean step time (ms)", maxBarThickness: 72, data: stepRanks.map(function (x) { return x.mean_ns / 1e6; }),
            backgroundColor: stepRanks.map(function (x) { return st.named.indexOf(x.rank) >= 0 ? "#e45756" : "#4c78a8"; }) }]
        },
        options: {
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (i) { var x = stepRanks[i.dataIndex]; return fmtNs(x.mean_ns) + " over " + x.steps + (x.steps === 1 ? " step" : " steps") + (x.slowest_count ? ", slowest in " + x.slowest_count : ""); } } } },
          scales: { x: { grid: { display: false } }, y: { title: { display: true, text: "mean step time (ms)" }, beginAtZero: true } }
        }
      });
    };
    var c = data.collectives;
    s.appendChild(el("h3", null, "Collectives", el("span", { cls: "sub", text: c ? c.instances_total + " matched instances" + (c.reliable ? "" : "; clocks disagree, waits are approximate") + ", max clock skew " + fmtNs(c.max_clock_skew_ns) : "" })));
    if (!c || !c.by_collective.length) { s.appendChild(missing("No collective was matched across ranks.", "The traces hold no communication kernels with matching process groups.")); return s; }
    s.appendChild(dataTable([
      { label: "Group", value: function (x) { return x.process_group || "–"; } },
      nameCol("Collective", function (x) { return x.name; }),
      intCol("Instances", function (x) { return x.instances; }),
      { label: "Message", value: function (x) { return x.message_bytes; }, show: function (x) { return fmtBytes(x.message_bytes); }, num: true },
      nsCol("Transfer", function (x) { return x.transfer_ns; }),
      nsCol("Wait", function (x) { return x.wait_ns; }),
      nsCol("Max arrival spread", function (x) { return x.max_arrival_spread_ns; }),
      { label: "algbw", value: function (x) { return x.algbw_gbps; }, show: function (x) { return fmtGbps(x.algbw_gbps); }, num: true },
      { label: "busbw", value: function (x) { return x.busbw_gbps; }, show: function (x) { return fmtGbps(x.busbw_gbps); }, num: true }
    ], c.by_collective, { id: "collective-table", sortIndex: 5 }));
    s.appendChild(el("h3", null, "Costliest instances", el("span", { cls: "sub", text: "the " + c.instances.length + " with the most waiting" + (c.instances_total > c.instances.length ? " of " + c.instances_total : "") })));
    s.appendChild(dataTable([
      intCol("#", function (x) { return x.number; }),
      nameCol("Collective", function (x) { return x.name; }),
      { label: "Step", value: function (x) { return x.step; }, num: true },
      { label: "Message", value: function (x) { return x.message_bytes; }, show: function (x) { return fmtBytes(x.message_bytes); }, num: true },
      nsCol("Arrival spread", function (x) { return x.arrival_spread_ns; }),
      { label: "Last rank", value: function (x) { return x.last_rank; }, num: true },
      nsCol("Total wait", function (x) { return x.total_wait_ns; }),
      nsCol("Transfer", function (x) { return x.transfer_ns; }),
      { label: "busbw", value: function (x) { return x.busbw_gbps; }, show: function (x) { return fmtGbps(x.busbw_gbps); }, num: true }
    ], c.instances, { id: "instance-table", sortIndex: 6 }));
    return s;
  }

  function buildDiagnostics() {
    var s = section("diagnostics", "Diagnostics", "What the reader noticed in the traces: information, warnings and errors, with how often.");
    var diags = data.diagnostics || [];
    if (!diags.length) { s.appendChild(el("p", { cls: "lede", text: "No diagnostics: every event was read and understood." })); return s; }
    var order = { error: 0, warning: 1, info: 2 };
    s.appendChild(dataTable([
      { label: "Severity", value: function (d) { return order[d.severity]; }, show: function (d) { return pill(d.severity); } },
      { label: "Code", value: function (d) { return d.code; }, cls: "name" },
      intCol("Count", function (d) { return d.count; }),
      { label: "Message", value: function (d) { return d.message; }, cls: "wrap-text" },
      { label: "File", value: function (d) { return baseName(d.file); }, title: function (d) { return d.file || ""; }, cls: "dim" }
    ], diags, { id: "diagnostic-table", sortIndex: 0, sortDesc: false }));
    return s;
  }

  var builders = { summary: buildSummary, breakdown: buildBreakdown, roofline: buildRoofline, tables: buildTables, job: buildJob, diagnostics: buildDiagnostics };
  function render(ids) {
    ids.forEach(function (id) {
      var host = sections[id];
      host.textContent = "";
      guard(host, id, function () {
        var s = builders[id]();
        host.appendChild(s);
        if (s.drawCharts) s.drawCharts();
      });
    });
  }
  render(["summary", "breakdown", "roofline", "tables", "job", "diagnostics"]);
  if (rankSelect) {
    rankSelect.addEventListener("change", function () {
      state.rank = Number(rankSelect.value);
      render(["summary", "breakdown", "roofline", "tables"]);
    });
  }
  main.appendChild(el("footer", null, "Generated by headroom " + data.tool.version + " · charts drawn with Chart.js " + Chart.version + " (MIT), bundled in this file · no network needed"));
  window.headroomRenderMs = performance.now() - t0;
  window.headroomReadyMs = performance.now(); // since the navigation started: reading the file, parsing, drawing
  document.body.setAttribute("data-render-ms", window.headroomRenderMs.toFixed(0));
  document.body.setAttribute("data-ready", "1");
})();
