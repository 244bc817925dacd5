// The console's behaviour beyond htmx: live updates, relative times, copying, error messages. Loaded as a file (the
// CSP allows no inline script) and driven by data- attributes in the pages.
(function () {
  'use strict';

  // --- Live updates -------------------------------------------------------------------------------------------
  // The server sends one event per kind of change ("instance", "command", "batch", "commissioning", "matter-node",
  // "matter-server") with the ids that changed, space-separated, or "*". An element that shows such things says so
  // with data-live-on="instance" (several kinds space-separated) and, optionally, data-live-ids="id id ..."; when
  // one of its ids (or any, without the attribute) changed it receives the htmx event "live", which its hx-trigger
  // turns into a fetch of its fresh self. Bursts are folded: at most one fetch per element per second.
  var KINDS = ['instance', 'command', 'batch', 'commissioning', 'matter-node', 'matter-server'];
  var pendingTimers = new WeakMap();

  function refresh(el) {
    if (pendingTimers.has(el)) return;
    pendingTimers.set(el, setTimeout(function () {
      pendingTimers.delete(el);
      if (document.body.contains(el)) htmx.trigger(el, 'live');
    }, 250));
  }

  function changed(kind, data) {
    var ids = data === '*' ? null : data.split(' ');
    document.querySelectorAll('[data-live-on]').forEach(function (el) {
      if (el.getAttribute('data-live-on').split(' ').indexOf(kind) < 0) return;
      var mine = el.getAttribute('data-live-ids');
      if (ids === null || mine === null || mine.split(' ').some(function (id) { return ids.indexOf(id) >= 0; })) {
        refresh(el);
      }
    });
  }

  function listen() {
    var url = document.body.getAttribute('data-live');
    if (!url || !window.EventSource || !document.querySelector('[data-live-on]')) return;
    var source = new EventSource(url);
    var wasOpen = false;
    KINDS.forEach(function (kind) {
      source.addEventListener(kind, function (e) { changed(kind, e.data); });
    });
    source.addEventListener('open', function () {
      // After a break, changes may have been missed: everything live looks again.
      if (wasOpen) KINDS.forEach(function (kind) { changed(kind, '*'); });
      wasOpen = true;
      document.body.setAttribute('data-live-state', 'open');
    });
    source.addEventListener('error', function () { document.body.setAttribute('data-live-state', 'reconnecting'); });
    // A page left for another (or kept in the back-forward cache) must let its stream go: a browser holds at most
    // six connections to one server, and six forgotten streams would stall the seventh page's load.
    window.addEventListener('pagehide', function () { source.close(); }, { once: true });
  }

  // --- Times --------------------------------------------------------------------------------------------------
  // <time datetime="ISO" data-relative> shows "2 min ago"; the exact local time is its title.
  var UNITS = [['day', 86400], ['h', 3600], ['min', 60], ['s', 1]];

  function ago(ms) {
    var s = Math.round(ms / 1000);
    if (s < 5 && s > -5) return 'just now';
    var future = s < 0;
    s = Math.abs(s);
    for (var i = 0; i < UNITS.length; i++) {
      var n = Math.floor(s / UNITS[i][1]);
      if (n >= 1) {
        var unit = UNITS[i][0] === 'day' && n > 1 ? 'days' : UNITS[i][0];
        return future ? 'in ' + n + ' ' + unit : n + ' ' + unit + ' ago';
      }
    }
    return 'just now';
  }

  function renderTimes(root) {
    (root || document).querySelectorAll('time[data-relative]').forEach(function (t) {
      var at = Date.parse(t.getAttribute('datetime'));
      if (isNaN(at)) return;
      t.textContent = ago(Date.now() - at);
      t.title = new Date(at).toLocaleString();
    });
  }

  // --- Copy buttons: <button data-copy="#id"> copies that element's text. ----------------------------------------
  document.addEventListener('click', function (e) {
    var button = e.target.closest('[data-copy]');
    if (!button) return;
    var source = document.querySelector(button.getAttribute('data-copy'));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      var label = button.textContent;
      button.textContent = 'Copied';
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  // --- Errors: the API's JSON error body, shown in the page's status region. -----------------------------------------
  function flash(message, ok) {
    var region = document.getElementById('flash');
    if (!region) return;
    region.className = ok ? 'flash ok' : 'flash';
    region.textContent = message;
  }

  document.addEventListener('htmx:responseError', function (e) {
    var xhr = e.detail.xhr;
    var message = 'The server answered ' + xhr.status + '.';
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.message) {
        message = body.message;
        if (body.violations && body.violations.length) {
          message += ': ' + body.violations.map(function (v) { return v.field + ' ' + v.message; }).join('; ');
        }
      }
    } catch (ignored) { /* not JSON: keep the status */ }
    flash(message, false);
  });
  document.addEventListener('htmx:sendError', function () { flash('The server could not be reached.', false); });
  document.addEventListener('htmx:beforeRequest', function () { flash('', true); });
  document.addEventListener('htmx:afterSwap', function (e) { renderTimes(e.target); });

  document.addEventListener('DOMContentLoaded', function () {
    renderTimes(document);
    setInterval(function () { renderTimes(document); }, 30000);
    listen();
  });
  // Back from the back-forward cache: listen again, and everything live looks again.
  window.addEventListener('pageshow', function (e) {
    if (!e.persisted) return;
    listen();
    KINDS.forEach(function (kind) { changed(kind, '*'); });
  });
})();
