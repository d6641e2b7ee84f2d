// The registration page's live check: after a pause in typing (300 ms), post the form to the
// preview endpoint (a dry run that keeps nothing), show the fragment it answers and mark the fields
// the registration would refuse.
(function () {
  'use strict';
  var form = document.getElementById('new-case-form');
  var panel = document.getElementById('live-check');
  if (!form || !panel || !window.fetch) { return; }
  var body = document.getElementById('live-check-body');
  var busy = document.getElementById('live-check-busy');
  var DELAY = 300;
  var timer = null, latest = 0, controller = null;

  function show(html, state) {
    body.innerHTML = html;
    panel.dataset.state = state;
    markFields();
  }

  // A field the registration would refuse is marked where the clerk types, with the refusal under
  // it; marks of an earlier check go (the server's own marks after a failed submit stay).
  function markFields() {
    Array.prototype.forEach.call(form.querySelectorAll('.live-feedback'), function (el) { el.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll('.live-invalid'), function (el) {
      el.classList.remove('is-invalid', 'live-invalid');
    });
    Array.prototype.forEach.call(body.querySelectorAll('[data-warning-for]'), function (item) {
      var field = form.querySelector('[data-field="' + item.getAttribute('data-warning-for') + '"]');
      if (!field) { return; }
      Array.prototype.forEach.call(field.querySelectorAll('input, select, textarea'), function (input) {
        if (!input.classList.contains('is-invalid')) { input.classList.add('is-invalid', 'live-invalid'); }
      });
      var note = document.createElement('div');
      note.className = 'invalid-feedback d-block live-feedback';
      note.textContent = item.getAttribute('data-message');
      field.appendChild(note);
    });
  }

  function message(text) {
    var p = document.createElement('p');
    p.className = 'text-danger small mb-0';
    p.textContent = text;
    body.replaceChildren(p);
  }

  function check() {
    var mine = ++latest;
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    busy.classList.remove('invisible');
    panel.dataset.state = 'loading';
    fetch(panel.dataset.previewUrl, {
      method: 'POST', credentials: 'same-origin', body: new URLSearchParams(new FormData(form)),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (response.redirected) {   // the session ended: the login page answered
        throw new Error(panel.dataset.expiredText);
      }
      if (!response.ok && response.status !== 422) { throw new Error(panel.dataset.errorText); }
      return response.text();
    }).then(function (html) {
      if (mine === latest) { show(html, 'ready'); }
    }).catch(function (error) {
      if (error.name === 'AbortError' || mine !== latest) { return; }
      message(error.message || panel.dataset.errorText);
      panel.dataset.state = 'error';
    }).finally(function () {
      if (mine === latest) { busy.classList.add('invisible'); }
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, DELAY);
  }

  panel.hidden = false;
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  var typed = Array.prototype.some.call(form.elements, function (el) {
    return el.name && el.name !== 'csrf_token' && (el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value);
  });
  if (typed) { check(); }   // a form sent back with errors: check it at once
}());
