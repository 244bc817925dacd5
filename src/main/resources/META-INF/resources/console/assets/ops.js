// The enrollment, commands, people and audit pages' behaviour beyond htmx. Loaded as a file (the CSP allows no inline
// script).
(function () {
  'use strict';

  // A form marked data-confirm-commands="restart update" asks before it sends one of those commands; the others go
  // without a question. htmx's own hx-confirm would ask for every command.
  document.addEventListener('htmx:confirm', function (e) {
    var form = e.target.closest ? e.target.closest('form[data-confirm-commands]') : null;
    if (!form) return;
    var command = form.querySelector('[name="command"]').value;
    if (form.getAttribute('data-confirm-commands').split(' ').indexOf(command) < 0) return;
    e.preventDefault();
    if (window.confirm('Send "' + command + '" to every instance the target picks?')) e.detail.issueRequest(true);
  });
})();
