/* Heatmap of a process: a bpmn-js overlay per step with how many wait now, mean and p90 time spent.
 * Built on diagram.js (loading, lane names, zoom); figures come from
 * <script type="application/json" id="heatmap-data">: {steps: {id: {waiting, mean, p90, heat}}, labels}.
 * Sets #heatmap's data-overlays to the number of overlays placed.
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

  function addOverlays(viewer, el, data) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    var overlays = viewer.get('overlays');
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
  }

  document.addEventListener('DOMContentLoaded', function () {
    var el = document.getElementById('heatmap');
    var source = document.getElementById('heatmap-data');
    if (!el || !source) { return; }
    var data = JSON.parse(source.textContent);
    var hottest = Object.keys(data.steps).sort(function (a, b) {
      return (data.steps[b].heat - data.steps[a].heat) || (data.steps[b].waiting - data.steps[a].waiting);
    })[0];
    if (hottest) { el.setAttribute('data-focus', JSON.stringify([hottest])); }   // opens there when large
    window.gjjDiagram.show(el, function (viewer) { addOverlays(viewer, el, data); });
  });
})();
