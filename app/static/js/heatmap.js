/* Heatmap of a process: a bpmn-js overlay per step with how many wait now, mean and p90 time spent.
 * Requires bpmn-navigated-viewer.production.min.js (global BpmnJS). Figures come from
 * <script type="application/json" id="heatmap-data">: {steps: {id: {waiting, mean, p90, heat}}, labels}.
 * Sets #heatmap's data-state to 'ready' (and data-overlays to the count) or 'error'.
 */
(function () {
  'use strict';

  function badge(step, labels) {
    var el = document.createElement('div');
    el.className = 'heat-badge heat-' + step.heat;
    var parts = [labels.waiting + ' ' + step.waiting];
    if (step.mean) { parts.push(labels.mean + ' ' + step.mean); }
    if (step.p90) { parts.push(labels.p90 + ' ' + step.p90); }
    el.textContent = parts.join(' · ');
    return el;
  }

  function fail(el, err) {
    if (window.console) { console.warn('heatmap failed', err); }
    var box = document.createElement('div');
    box.className = 'alert alert-warning';
    box.textContent = el.getAttribute('data-error-text') || 'Diagram unavailable';
    el.innerHTML = '';
    el.appendChild(box);
    el.dataset.state = 'error';
  }

  document.addEventListener('DOMContentLoaded', function () {
    var el = document.getElementById('heatmap');
    var source = document.getElementById('heatmap-data');
    if (!el || !source) { return; }
    if (typeof BpmnJS === 'undefined') { fail(el, new Error('BpmnJS missing')); return; }
    var data = JSON.parse(source.textContent);
    var viewer = new BpmnJS({ container: el });
    el.dataset.state = 'loading';
    fetch(el.getAttribute('data-xml-url'), { credentials: 'same-origin' })
      .then(function (resp) { if (!resp.ok) { throw new Error('HTTP ' + resp.status); } return resp.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get('canvas');
        var registry = viewer.get('elementRegistry');
        var overlays = viewer.get('overlays');
        canvas.zoom('fit-viewport', 'auto');
        var added = 0;
        Object.keys(data.steps).forEach(function (id) {
          if (!registry.get(id)) { return; }   // a step of an older version: not in this diagram
          var step = data.steps[id];
          canvas.addMarker(id, 'heat-step');
          canvas.addMarker(id, 'heat-' + step.heat);
          overlays.add(id, 'heat', { position: { bottom: 4, left: -6 }, html: badge(step, data.labels) });
          added += 1;
        });
        el.dataset.overlays = String(added);
        el.dataset.state = 'ready';
      })
      .catch(function (err) { fail(el, err); });
  });
})();
