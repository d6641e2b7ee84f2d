/* Small progressive enhancements; the pages work without them. */
document.addEventListener('click', function (event) {
  if (event.target.closest('[data-print]')) { window.print(); }
});
