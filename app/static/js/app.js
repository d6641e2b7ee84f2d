/* Small progressive enhancements; the pages work without them. */
document.addEventListener('click', function (event) {
  if (event.target.closest('[data-print]')) { window.print(); }
});

/* A task form whose field declares final decisions (x-confirm) asks before submitting one of them. */
document.addEventListener('submit', function (event) {
  var form = event.target;
  var message = form.getAttribute('data-confirm-message');
  if (!message) { return; }
  var fields = form.querySelectorAll('[data-confirm]');
  for (var i = 0; i < fields.length; i++) {
    var values = JSON.parse(fields[i].getAttribute('data-confirm'));
    var chosen = fields[i].querySelector('input[type=radio]:checked') || fields[i].querySelector('select');
    if (!chosen || values.indexOf(chosen.value) < 0) { continue; }
    var label = chosen.tagName === 'SELECT' ? chosen.options[chosen.selectedIndex]
      : form.querySelector('label[for="' + chosen.id + '"]');
    if (!window.confirm(message.replace('{decision}', label ? label.textContent.trim() : chosen.value))) {
      event.preventDefault();
    }
    return;
  }
});
