// The fleet page's selection: which instances "Command selected" sends to the commands page. The checked boxes are
// remembered across the table's live refreshes (which replace it), and the button says how many are checked.
(function () {
  'use strict';
  var selected = new Set();

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('#instances input[name="instance"]'));
  }

  function show() {
    var button = document.getElementById('command-selected-button');
    if (!button) return;
    var present = boxes();
    // Rows gone from the page (filtered away, decommissioned) are no longer selected.
    var ids = new Set(present.map(function (b) { return b.value; }));
    selected.forEach(function (id) { if (!ids.has(id)) selected.delete(id); });
    present.forEach(function (b) { b.checked = selected.has(b.value); });
    var all = document.getElementById('select-all');
    if (all) all.checked = present.length > 0 && selected.size === present.length;
    button.disabled = selected.size === 0;
    document.getElementById('selected-count').textContent = selected.size ? selected.size + ' selected' : '';
  }

  document.addEventListener('change', function (e) {
    var box = e.target;
    if (box.id === 'select-all') {
      boxes().forEach(function (b) { if (box.checked) selected.add(b.value); else selected.delete(b.value); });
    } else if (box.name === 'instance' && box.closest('#instances')) {
      if (box.checked) selected.add(box.value); else selected.delete(box.value);
    } else {
      return;
    }
    show();
  });
  document.addEventListener('htmx:afterSettle', show);
  document.addEventListener('DOMContentLoaded', show);
})();
