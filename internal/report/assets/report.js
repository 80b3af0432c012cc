/* huella report: the timeline (built only when asked for: parsing and
   drawing a large timeline would slow the page for a reader who does not
   need it), its filters, chart and paging; findings expanded for printing.
   Every value from the evidence is written with textContent, never as
   HTML. */
(function () {
  'use strict';
  var timing = window.huellaTiming = { start: performance.now() };
  function el(id) { return document.getElementById(id); }
  var ui = JSON.parse(el('ui-text').textContent);
  function fmt(key, vars) {
    var s = ui[key] || key;
    for (var k in vars) { s = s.split('{' + k + '}').join(String(vars[k])); }
    return s;
  }
  // Printing shows every finding expanded, also in browsers whose print
  // style sheet cannot open <details> (::details-content).
  var reopened = [];
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('details:not([open])'), function (d) { d.open = true; reopened.push(d); });
  });
  window.addEventListener('afterprint', function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  var showBtn = el('tl-show'), mount = el('tl-mount'), tpl = el('tl-ui');
  var around = document.querySelectorAll('button.around');
  if (!showBtn || !mount || !tpl) {
    Array.prototype.forEach.call(around, function (b) { b.hidden = true; });
    return;
  }
  var tl = null; // the timeline's API once built
  function build() {
    if (tl) return tl;
    timing.asked = performance.now();
    mount.appendChild(document.importNode(tpl.content, true));
    showBtn.hidden = true;
    tl = timeline();
    timing.ready = performance.now();
    return tl;
  }
  showBtn.addEventListener('click', function () { build(); });
  Array.prototype.forEach.call(around, function (b) {
    b.addEventListener('click', function () {
      build().around(+b.getAttribute('data-t'));
      el('timeline').scrollIntoView();
    });
  });
  timing.ready = performance.now();

  function timeline() {
  // The timeline arrives as parts of columns (see render.go): join them.
  var cols = {};
  Array.prototype.forEach.call(document.querySelectorAll('script.ev-part'), function (p) {
    var k = p.getAttribute('data-k');
    (cols[k] = cols[k] || []).push(JSON.parse(p.textContent));
    p.textContent = '';
  });
  timing.parsed = performance.now();
  function nums(k, Ctor) {
    var parts = cols[k] || [], total = 0, o = 0, i;
    for (i = 0; i < parts.length; i++) total += parts[i].length;
    var out = new Ctor(total);
    for (i = 0; i < parts.length; i++) { out.set(parts[i], o); o += parts[i].length; }
    return out;
  }
  function strs(k) {
    var parts = cols[k] || [], out = [];
    for (var i = 0; i < parts.length; i++) for (var j = 0; j < parts[i].length; j++) out.push(parts[i][j]);
    return out;
  }
  var body = el('ev-body');
  var T = nums('t', Float64Array), M = nums('m', Int32Array), S = nums('s', Int8Array);
  var D = nums('d', Int32Array), X = nums('x', Int32Array), R = nums('r', Int32Array);
  var n = T.length;
  var mods = strs('mods'), descs = strs('descs'), texts = strs('texts'), sources = strs('sources'), zone = strs('tz')[0];
  cols = null;
  timing.arrays = performance.now();
  var PAGE = 200;
  var sel = new Int32Array(n), count = 0, page = 0;
  var ALL = { mod: -1, sev: 0, q: '', from: -Infinity, to: Infinity };
  var state = Object.assign({}, ALL);
  var sevLabel = ['', ui['sev.1'], ui['sev.2'], ui['sev.3'], ui['sev.4'], ui['sev.5']];

  function fmtUTC(t) { return new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' '); }
  var localFmt = null;
  if (zone) {
    try {
      localFmt = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit',
        day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    } catch (e) { localFmt = null; }
  }

  // Controls.
  var fMod = el('f-module'), fSev = el('f-sev'), fText = el('f-text');
  function opt(select, value, label) {
    var o = document.createElement('option');
    o.value = String(value); o.textContent = label; select.appendChild(o);
  }
  opt(fMod, -1, ui.all);
  mods.map(function (m, i) { return [m, i]; }).sort(function (a, b) { return a[0] < b[0] ? -1 : 1; })
    .forEach(function (p) { opt(fMod, p[1], p[0]); });
  opt(fSev, 0, ui.all);
  opt(fSev, 1, ui.flagged);
  for (var s = 5; s >= 2; s--) { opt(fSev, s, '≥ ' + sevLabel[s]); }

  var head = el('ev-head');
  [ui.col_time].concat(localFmt ? [ui.col_local] : [], [ui.col_module, ui.col_desc, ui.col_summary, ui.col_severity])
    .forEach(function (h) { var th = document.createElement('th'); th.textContent = h; head.appendChild(th); });

  function lowerBound(v) { var lo = 0, hi = n; while (lo < hi) { var m = (lo + hi) >> 1; if (T[m] < v) lo = m + 1; else hi = m; } return lo; }
  function upperBound(v) { var lo = 0, hi = n; while (lo < hi) { var m = (lo + hi) >> 1; if (T[m] <= v) lo = m + 1; else hi = m; } return lo; }
  function mask(list, q) {
    var out = new Uint8Array(list.length);
    for (var i = 0; i < list.length; i++) { if (list[i].toLowerCase().indexOf(q) >= 0) out[i] = 1; }
    return out;
  }

  function apply() {
    var c = 0, mod = state.mod, sev = state.sev;
    var q = state.q.trim().toLowerCase();
    var mx = null, md = null, mr = null;
    if (q) { mx = mask(texts, q); md = mask(descs, q); mr = mask(sources, q); }
    // The timeline is sorted by time, so the window is two binary searches.
    var lo = state.from === -Infinity ? 0 : lowerBound(state.from);
    var hi = state.to === Infinity ? n : upperBound(state.to);
    for (var i = lo; i < hi; i++) {
      if (mod >= 0 && M[i] !== mod) continue;
      if (sev > 0 && S[i] < sev) continue;
      if (q && !(mx[X[i]] || md[D[i]] || mr[R[i]])) continue;
      sel[c++] = i;
    }
    count = c; page = 0;
    render();
    drawChart();
  }

  // Each cell carries its column's name: on a phone the table is a list of
  // cards and the name is shown before the value.
  var labels = [ui.col_time].concat(localFmt ? [ui.col_local] : [], [ui.col_module, ui.col_desc, ui.col_summary, ui.col_severity]);
  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    td.setAttribute('data-label', labels[tr.cells.length] || '');
    tr.appendChild(td);
    return td;
  }

  function render() {
    var pages = Math.max(1, Math.ceil(count / PAGE));
    if (page >= pages) page = pages - 1;
    var start = page * PAGE, end = Math.min(count, start + PAGE);
    var frag = document.createDocumentFragment();
    for (var k = start; k < end; k++) {
      var i = sel[k], tr = document.createElement('tr');
      if (S[i]) tr.className = 'sev-' + S[i];
      cell(tr, fmtUTC(T[i]), 't');
      if (localFmt) cell(tr, localFmt.format(new Date(T[i] * 1000)), 't');
      cell(tr, mods[M[i]], 'mod');
      cell(tr, descs[D[i]]);
      var sum = cell(tr, texts[X[i]], 'summary');
      if (sources[R[i]]) sum.title = sources[R[i]];
      cell(tr, sevLabel[S[i]] || '');
      frag.appendChild(tr);
    }
    if (count === 0) {
      var tr0 = document.createElement('tr');
      var td = cell(tr0, ui.no_rows, 'empty');
      td.colSpan = localFmt ? 6 : 5;
      frag.appendChild(tr0);
    }
    body.textContent = '';
    body.appendChild(frag);
    var cnt = el('ev-count');
    cnt.textContent = fmt('count', { n: count.toLocaleString(), total: n.toLocaleString() });
    cnt.setAttribute('data-count', String(count));
    el('pg-info').textContent = fmt('page', { p: page + 1, n: pages });
    el('pg-prev').disabled = page === 0;
    el('pg-next').disabled = page >= pages - 1;
    el('ev-range').textContent = state.from > -Infinity ? fmt('range', { from: fmtUTC(state.from), to: fmtUTC(state.to) }) : '';
  }

  // Chart: counts per time bin of the selected events; a drag zooms.
  var chartEl = el('chart'), plot = null;
  function bins() {
    var a = state.from > -Infinity ? state.from : (n ? T[0] : 0);
    var b = state.to < Infinity ? state.to : (n ? T[n - 1] : 1);
    if (b - a < 60) { a -= 30; b += 30; }
    var nb = Math.max(10, Math.min(240, Math.floor((chartEl.clientWidth || 800) / 5)));
    var w = Math.max(1, Math.ceil((b - a + 1) / nb));
    nb = Math.ceil((b - a + 1) / w);
    var xs = new Float64Array(nb), all = new Float64Array(nb), flagged = new Float64Array(nb);
    for (var j = 0; j < nb; j++) xs[j] = a + j * w;
    for (var k = 0; k < count; k++) {
      var i = sel[k], bi = Math.floor((T[i] - a) / w);
      if (bi < 0 || bi >= nb) continue;
      all[bi]++;
      if (S[i] > 0) flagged[bi]++;
    }
    return [xs, all, flagged];
  }
  // 24-hour ISO labels: the US 12-hour default misleads outside the US.
  function tickLabels(u, splits) {
    var span = splits.length > 1 ? splits[splits.length - 1] - splits[0] : 0;
    return splits.map(function (t) {
      var s = fmtUTC(t);
      if (span >= 3 * 86400) return s.slice(0, 10);
      if (span >= 3600) return s.slice(5, 16);
      return s.slice(11, 19);
    });
  }
  function drawChart() {
    if (typeof uPlot === 'undefined' || !chartEl) return;
    var data = bins();
    if (plot) { plot.setData(data); return; }
    var bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.9, 40], align: 1 }) : undefined;
    plot = new uPlot({
      width: chartEl.clientWidth || 800,
      height: 220,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); },
      cursor: { drag: { x: true, y: false, setScale: false } },
      scales: { x: { time: true } },
      axes: [{ values: tickLabels, space: 90 }, { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6] }],
      legend: { live: false },
      series: [
        {},
        { label: ui.series_all, stroke: '#14213d', fill: 'rgba(20,33,61,0.25)', paths: bars, points: { show: false } },
        { label: ui.series_flagged, stroke: '#c4302b', fill: 'rgba(196,48,43,0.6)', paths: bars, points: { show: false } }
      ],
      hooks: {
        setSelect: [function (u) {
          if (u.select.width < 3) return;
          var a = u.posToVal(u.select.left, 'x'), b = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          state.from = Math.floor(a); state.to = Math.ceil(b);
          apply();
        }]
      }
    }, data, chartEl);
  }
  var lastWidth = 0;
  function fit() {
    var w = chartEl.clientWidth;
    if (!plot || !w || w === lastWidth) return;
    lastWidth = w;
    plot.setSize({ width: w, height: 220 });
    plot.setData(bins());
  }
  if (typeof ResizeObserver !== 'undefined') { new ResizeObserver(fit).observe(chartEl); }
  window.addEventListener('resize', fit);

  function sync() { fMod.value = String(state.mod); fSev.value = String(state.sev); fText.value = state.q; }
  fMod.addEventListener('change', function () { state.mod = +fMod.value; apply(); });
  fSev.addEventListener('change', function () { state.sev = +fSev.value; apply(); });
  var textTimer = 0;
  fText.addEventListener('input', function () {
    clearTimeout(textTimer);
    textTimer = setTimeout(function () { state.q = fText.value; apply(); }, 250);
  });
  el('f-reset').addEventListener('click', function () { state = Object.assign({}, ALL); sync(); apply(); });
  el('pg-prev').addEventListener('click', function () { if (page > 0) { page--; render(); } });
  el('pg-next').addEventListener('click', function () { page++; render(); });
  apply();
  return {
    // around shows the ten minutes either side of a finding.
    around: function (t) { state = Object.assign({}, ALL, { from: t - 600, to: t + 600 }); sync(); apply(); }
  };
  }
})();
