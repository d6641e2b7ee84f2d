/* Read-only diagrams of the process administration pages: problems and version changes marked.
 * Requires the bpmn-js navigated viewer (global BpmnJS).
 * Markup: <div class="modeler-diagram" data-xml-url="…" | data-xml-source="<textarea id>"
 *              data-problems='{"task_1": ["message"]}' data-changes='{"task_1": "changed"}'></div>
 * Sets el.dataset.state to 'ready' or 'error'.
 */
(function () {
  'use strict';

  function readJson(el, name) {
    try { return JSON.parse(el.getAttribute(name) || '{}') || {}; } catch (e) { return {}; }
  }

  function loadXml(el) {
    var source = el.getAttribute('data-xml-source');
    if (source) { return Promise.resolve(document.getElementById(source).value); }
    return fetch(el.getAttribute('data-xml-url'), { credentials: 'same-origin' }).then(function (resp) {
      if (!resp.ok) { throw new Error('HTTP ' + resp.status); }
      return resp.text();
    });
  }

  function markProblems(viewer, problems) {
    var registry = viewer.get('elementRegistry');
    var canvas = viewer.get('canvas');
    var overlays = viewer.get('overlays');
    Object.keys(problems).forEach(function (id) {
      if (!registry.get(id)) { return; }
      canvas.addMarker(id, 'gjj-problem');
      var badge = document.createElement('div');
      badge.className = 'gjj-problem-badge';
      badge.textContent = '!' + (problems[id].length > 1 ? ' ' + problems[id].length : '');
      badge.title = problems[id].join('\n');
      overlays.add(id, 'gjj-problem', { position: { top: -10, right: 10 }, html: badge });
    });
  }

  function markChanges(viewer, changes) {
    var registry = viewer.get('elementRegistry');
    var canvas = viewer.get('canvas');
    Object.keys(changes).forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, 'gjj-' + changes[id]); }
    });
  }

  function render(el) {
    var viewer = new BpmnJS({ container: el });
    el.dataset.state = 'loading';
    loadXml(el)
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        viewer.get('canvas').zoom('fit-viewport', 'auto');
        markProblems(viewer, readJson(el, 'data-problems'));
        markChanges(viewer, readJson(el, 'data-changes'));
        el.dataset.state = 'ready';
      })
      .catch(function (err) {
        if (window.console) { console.warn('diagram failed', err); }
        el.textContent = el.getAttribute('data-error-text') || 'Diagram unavailable';
        el.dataset.state = 'error';
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('.modeler-diagram'), render);
  });
})();
