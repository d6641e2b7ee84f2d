/* The decision-table editor (dmn-js, global DmnJS) and the form editor (JSON Schema with a live preview).
 * Config: <script type="application/json" id="file-config"> {name, csrf, fileUrl, saveUrl, previewUrl}.
 * Saving posts {name, content} to saveUrl: a new draft version, or every problem (422) listed.
 */
(function () {
  'use strict';
  var cfg;

  function post(url, payload) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin', body: JSON.stringify(payload),
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': cfg.csrf, 'Accept': 'application/json' }
    }).then(function (resp) {
      return resp.json().then(function (body) { return { status: resp.status, body: body }; });
    });
  }

  function showProblems(problems) {
    var list = document.getElementById('file-problems');
    list.innerHTML = '';
    list.hidden = !problems.length;
    problems.forEach(function (p) {
      var item = document.createElement('li');
      item.className = 'list-group-item list-group-item-danger small';
      item.setAttribute('data-element', p.element || '');
      item.textContent = (p.element ? p.element + ': ' : '') + p.message;
      list.appendChild(item);
    });
  }

  function saveWith(getContent) {
    var button = document.getElementById('file-save');
    button.addEventListener('click', function () {
      button.disabled = true;
      Promise.resolve(getContent()).then(function (content) {
        return post(cfg.saveUrl, { name: cfg.name, content: content });
      }).then(function (answer) {
        if (answer.status === 200) { window.location = answer.body.url; return; }
        showProblems(answer.body.problems || [{ message: answer.body.message || ('HTTP ' + answer.status) }]);
        button.disabled = false;
      }).catch(function (err) { showProblems([{ message: String(err) }]); button.disabled = false; });
    });
  }

  function startRules(container) {
    var translated = { additionalModules: [window.gjjModelerTranslate] };
    var modeler = new DmnJS({ container: container, drd: translated, decisionTable: translated,
                              literalExpression: translated, boxedExpression: translated });
    fetch(cfg.fileUrl, { credentials: 'same-origin' })
      .then(function (resp) { return resp.text(); })
      .then(function (xml) { return modeler.importXML(xml); })
      .then(function () {
        var table = modeler.getViews().filter(function (v) { return v.type === 'decisionTable'; })[0];
        if (table) { return modeler.open(table); }
        return null;
      })
      .then(function () { container.dataset.state = 'ready'; window.gjjDmn = modeler; })
      .catch(function (err) { container.dataset.state = 'error'; showProblems([{ message: String(err) }]); });
    saveWith(function () { return modeler.saveXML({ format: true }).then(function (r) { return r.xml; }); });
  }

  function startForm(textarea) {
    var preview = document.getElementById('form-preview');
    var error = document.getElementById('form-preview-error');
    var timer = null;
    function refresh() {
      post(cfg.previewUrl, { schema: textarea.value }).then(function (answer) {
        if (answer.status === 200) {
          preview.innerHTML = answer.body.html;   // rendered and escaped by the server's form macro
          error.hidden = true;
        } else {
          error.textContent = answer.body.message || ('HTTP ' + answer.status);
          error.hidden = false;
        }
        textarea.dataset.state = 'previewed';
      });
    }
    textarea.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(refresh, 300); });
    refresh();
    saveWith(function () { return textarea.value; });
  }

  document.addEventListener('DOMContentLoaded', function () {
    cfg = JSON.parse(document.getElementById('file-config').textContent);
    var dmn = document.getElementById('dmn-editor');
    var schema = document.getElementById('form-schema');
    if (dmn) { startRules(dmn); }
    if (schema) { startForm(schema); }
  });
})();
