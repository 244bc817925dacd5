// The instance page's charts: one small uPlot chart per numeric series of the instance's metrics, over the range the
// range buttons choose. The data comes from the page's JSON fragment (data-metrics), never from inline script.
(function () {
  'use strict';

  // Names the add-on guide gives its series; other (metadata) series show their own key.
  var LABELS = {
    uptimeSeconds: 'Uptime (h)', stabilityScore: 'Stability score', totalDevices: 'Devices',
    totalEntities: 'Entities', pendingUpdates: 'Pending updates', cpuPercent: 'CPU %', memoryPercent: 'Memory %',
    diskPercent: 'Disk %'
  };
  // Shown in a friendlier unit than the one reported.
  var SCALE = { uptimeSeconds: 1 / 3600 };
  var charts = [];

  function width(box) {
    return Math.max(200, Math.floor(box.getBoundingClientRect().width) - 4);
  }

  function draw(box, data) {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    box.textContent = '';
    var names = Object.keys(data.series);
    box.setAttribute('data-series-count', String(names.length));
    document.getElementById('charts-empty').hidden = names.length > 0;
    var xs = data.times.map(function (t) { return t / 1000; });
    names.forEach(function (name) {
      var scale = SCALE[name] || 1;
      var ys = data.series[name].map(function (v) { return v === null ? null : v * scale; });
      var figure = document.createElement('figure');
      figure.className = 'chart';
      figure.setAttribute('data-series', name);
      var caption = document.createElement('figcaption');
      caption.textContent = LABELS[name] || name; // textContent: a key an add-on sent is never markup
      figure.appendChild(caption);
      var plot = document.createElement('div');
      figure.appendChild(plot);
      box.appendChild(figure);
      charts.push(new uPlot({
        width: width(figure), height: 150,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true, min: data.from / 1000, max: data.to / 1000 } },
        series: [{}, { label: caption.textContent, stroke: getComputedStyle(document.body).getPropertyValue('--accent') || '#2f6fde',
          width: 2, spanGaps: true, points: { show: xs.length < 60 } }],
        axes: [{ stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.2)' } },
               { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.2)' }, size: 50 }]
      }, [xs, ys], plot));
    });
  }

  function load(box, range) {
    box.setAttribute('aria-busy', 'true');
    fetch(box.getAttribute('data-metrics') + '?range=' + encodeURIComponent(range), {
      credentials: 'same-origin', headers: { Accept: 'application/json' }
    }).then(function (r) {
      if (!r.ok) throw new Error('The server answered ' + r.status + '.');
      return r.json();
    }).then(function (data) {
      box.setAttribute('data-range', range);
      draw(box, data);
      box.setAttribute('data-loaded', range);
    }).catch(function (e) {
      var flash = document.getElementById('flash');
      if (flash) { flash.className = 'flash'; flash.textContent = e.message; }
    }).finally(function () { box.removeAttribute('aria-busy'); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var box = document.getElementById('charts');
    if (!box || !window.uPlot) return;
    document.querySelectorAll('button.range').forEach(function (b) {
      b.addEventListener('click', function () {
        document.querySelectorAll('button.range').forEach(function (o) { o.setAttribute('aria-pressed', String(o === b)); });
        load(box, b.getAttribute('data-range'));
      });
    });
    var resizing;
    window.addEventListener('resize', function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () {
        charts.forEach(function (c) { c.setSize({ width: width(c.root.parentNode), height: 150 }); });
      }, 150);
    });
    load(box, box.getAttribute('data-range'));
  });
})();
