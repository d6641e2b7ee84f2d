/* Read-only BPMN diagram viewer.
 * Requires bpmn-navigated-viewer.production.min.js (global BpmnJS) loaded first.
 * Markup: <div class="bpmn-diagram" data-xml-url="..." data-active='["Task_1"]'
 *              data-done='["Start_1"]' data-counts='{"Task_1": 3}'
 *              data-role-labels='{"clerk": "受理员"}' data-error-text="..."></div>
 * Lanes named by a role code show the role's label. Buttons inside the element with
 * data-zoom="in|out|fit" zoom the diagram (the mouse wheel with Ctrl zooms too). A diagram too large
 * to read when fitted opens on its current step (data-focus='["Task_1"]' overrides) at a legible scale.
 * Sets el.dataset.state to 'ready' or 'error' when done.
 *
 * Pages that decorate the diagram themselves (the heatmap) mark it data-manual and call
 * gjjDiagram.show(el, function (viewer) { ...overlays... }) instead.
 */
(function () {
  'use strict';

  // Parse a JSON data attribute, falling back to `fallback` on absence/errors.
  function readJson(el, name, fallback) {
    var raw = el.getAttribute(name);
    if (!raw) { return fallback; }
    try { return JSON.parse(raw); } catch (e) { return fallback; }
  }

  function showError(el, viewer, err) {
    if (window.console) { console.warn('BPMN diagram failed to load', err); }
    if (viewer) { try { viewer.destroy(); } catch (e) { /* ignore */ } }
    var box = document.createElement('div');
    box.className = 'alert alert-warning';
    box.setAttribute('role', 'alert');
    box.textContent = el.getAttribute('data-error-text') || 'Diagram unavailable';
    el.innerHTML = '';
    el.appendChild(box);
    el.dataset.state = 'error';
  }

  function decorate(viewer, el) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    var overlays = viewer.get('overlays');

    // Only touch ids that exist in the diagram (unknown ids would throw).
    function mark(ids, marker) {
      (Array.isArray(ids) ? ids : []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, marker); }
      });
    }
    // Lanes are named by role code in the models; show the role's name in the page's language.
    var roles = readJson(el, 'data-role-labels', {}) || {};
    registry.filter(function (e) { return e.type === 'bpmn:Lane'; }).forEach(function (lane) {
      var code = lane.businessObject.name;
      var text = registry.getGraphics(lane).querySelector('.djs-visual text');
      if (code && roles[code] && text) {
        var spans = text.querySelectorAll('tspan');
        if (spans.length) {
          spans[0].textContent = roles[code];
          for (var i = 1; i < spans.length; i++) { spans[i].textContent = ''; }
        } else {
          text.textContent = roles[code];
        }
      }
    });

    mark(readJson(el, 'data-done', []), 'gjj-done');
    mark(readJson(el, 'data-active', []), 'gjj-active');

    var counts = readJson(el, 'data-counts', {}) || {};
    Object.keys(counts).forEach(function (id) {
      if (!registry.get(id) || counts[id] == null) { return; }
      var badge = document.createElement('span');
      badge.className = 'gjj-count';
      badge.textContent = String(counts[id]);
      overlays.add(id, 'gjj-count', { position: { top: -10, right: 10 }, html: badge });
    });
  }

  // A large model fitted into the page is too small to read: show the step that matters (the first
  // of data-focus, else of data-active) at a legible scale instead; the fit button shows the whole.
  var LEGIBLE = 0.75;
  function focus(viewer, el) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    if (canvas.zoom() >= LEGIBLE) { return; }
    var ids = readJson(el, 'data-focus', null) || readJson(el, 'data-active', []);
    var target = (Array.isArray(ids) ? ids : []).map(function (id) { return registry.get(id); })
      .filter(Boolean)[0];
    if (!target) { return; }
    canvas.zoom(LEGIBLE);
    canvas.scrollToElement(target, { top: 120, bottom: 120, left: 240, right: 240 });
    el.dataset.focused = target.id;
  }

  // Zoom buttons live next to the diagram: <div data-zoom-for="diagram"><button data-zoom="in">…
  function bindZoom(el, canvas) {
    var bar = document.querySelector('[data-zoom-for="' + el.id + '"]');
    if (!bar) { return; }
    bar.addEventListener('click', function (ev) {
      var button = ev.target.closest('[data-zoom]');
      if (!button) { return; }
      var how = button.getAttribute('data-zoom');
      if (how === 'fit') { canvas.zoom('fit-viewport', 'auto'); return; }
      canvas.zoom(canvas.zoom() * (how === 'in' ? 1.25 : 0.8), 'auto');
    });
  }

  function render(el, onReady) {
    var viewer = null;
    el.dataset.state = 'loading';
    fetch(el.getAttribute('data-xml-url'), { credentials: 'same-origin' })
      .then(function (resp) {
        if (!resp.ok) { throw new Error('HTTP ' + resp.status); }
        return resp.text();
      })
      .then(function (xml) {
        el.innerHTML = '';
        viewer = new BpmnJS({ container: el });
        return viewer.importXML(xml);
      })
      .then(function () {
        var canvas = viewer.get('canvas');
        canvas.zoom('fit-viewport', 'auto');
        decorate(viewer, el);
        focus(viewer, el);
        bindZoom(el, canvas);
        if (onReady) { onReady(viewer); }
        el.dataset.state = 'ready';
      })
      .catch(function (err) { showError(el, viewer, err); });
  }

  function show(el, onReady) {
    if (typeof BpmnJS === 'undefined') { showError(el, null, new Error('BpmnJS missing')); return; }
    render(el, onReady);
  }

  window.gjjDiagram = { show: show };

  document.addEventListener('DOMContentLoaded', function () {
    var els = document.querySelectorAll('.bpmn-diagram[data-xml-url]:not([data-manual])');
    Array.prototype.forEach.call(els, function (el) { show(el); });
  });
})();
