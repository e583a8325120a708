// Scoreboard filters: text search, status and tier. Works offline, no dependencies.
(function () {
  var q = document.getElementById('q');
  var st = document.getElementById('status');
  var tier = document.getElementById('tier');
  var shown = document.getElementById('shown');
  function apply() {
    var text = (q.value || '').toLowerCase().trim();
    var n = 0;
    document.querySelectorAll('tr.paper').forEach(function (tr) {
      var ok = (!text || tr.getAttribute('data-text').indexOf(text) >= 0) &&
        (!st.value || tr.getAttribute('data-status') === st.value) &&
        (!tier.value || tr.getAttribute('data-tier') === tier.value);
      tr.style.display = ok ? '' : 'none';
      if (ok) n++;
    });
    document.querySelectorAll('section.group').forEach(function (s) {
      var any = Array.prototype.some.call(s.querySelectorAll('tr.paper'), function (tr) { return tr.style.display !== 'none'; });
      s.style.display = any ? '' : 'none';
    });
    shown.textContent = n + ' shown';
  }
  [q, st, tier].forEach(function (el) { el.addEventListener('input', apply); el.addEventListener('change', apply); });
  apply();
})();
