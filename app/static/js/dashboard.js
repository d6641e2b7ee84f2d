/* Supervision dashboard charts (Chart.js, served by the app: global Chart).
 * Reads the figures from <script type="application/json" id="dashboard-data">.
 * Each drawn canvas gets data-drawn="1" (the browser test checks it).
 */
(function () {
  'use strict';

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    new Chart(canvas, config);
    canvas.dataset.drawn = '1';
  }

  document.addEventListener('DOMContentLoaded', function () {
    var source = document.getElementById('dashboard-data');
    if (!source || typeof Chart === 'undefined') { return; }
    var data = JSON.parse(source.textContent);
    var colors = ['#198754', '#0d6efd', '#ffc107', '#dc3545'];

    draw('chart-completion', {
      type: 'doughnut',
      data: { labels: data.completion.labels,
              datasets: [{ label: data.text.cases, data: data.completion.counts, backgroundColor: colors }] },
      options: { plugins: { legend: { position: 'bottom' } } }
    });
    draw('chart-weekly', {
      data: { labels: data.weekly.labels,
              datasets: [
                { type: 'bar', label: data.text.completed, data: data.weekly.completed,
                  backgroundColor: 'rgba(13,110,253,0.5)', yAxisID: 'y' },
                { type: 'line', label: data.text.rate, data: data.weekly.rate, borderColor: '#198754',
                  backgroundColor: '#198754', spanGaps: true, yAxisID: 'rate' }] },
      options: { scales: { y: { beginAtZero: true, position: 'left' },
                           rate: { min: 0, max: 100, position: 'right', grid: { drawOnChartArea: false } } },
                 plugins: { legend: { position: 'bottom' } } }
    });
    draw('chart-process', {
      type: 'bar',
      data: { labels: data.process.labels,
              datasets: [{ label: data.text.rate, data: data.process.rate, backgroundColor: '#198754' }] },
      options: { indexAxis: 'y', scales: { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } } }
    });
  });
})();
