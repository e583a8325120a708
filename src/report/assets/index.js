// Scoreboard filters: which papers (built by default), text search, status, tier, testbed and family.
// Works offline, no dependencies.
(function () {
  var q = document.getElementById('q');
  var show = document.getElementById('show');
  var selects = ['status', 'tier', 'testbed', 'family'].map(function (k) {
    return { key: k, el: document.getElementById(k) };
  });
  var shown = document.getElementById('shown');
  function apply() {
    var text = (q.value || '').toLowerCase().trim();
    var st = selects[0].el.value;
    // A status that built papers never have (not built, out of scope) widens "built papers" to all.
    if (show.value === 'built' && (st === 'not-built' || st === 'out-of-scope')) show.value = '';
    var which = show.value;
    var n = 0;
    document.querySelectorAll('tr.paper').forEach(function (tr) {
      var ok = !text || tr.getAttribute('data-text').indexOf(text) >= 0;
      if (ok && which === 'built') ok = tr.getAttribute('data-built') === '1';
      else if (ok && which) ok = tr.getAttribute('data-status') === which;
      selects.forEach(function (s) {
        if (ok && s.el.value && tr.getAttribute('data-' + s.key) !== s.el.value) ok = false;
      });
      tr.style.display = ok ? '' : 'none';
      if (ok) n++;
    });
    shown.textContent = n + ' shown';
  }
  [q, show]
    .concat(
      selects.map(function (s) {
        return s.el;
      }),
    )
    .forEach(function (el) {
      el.addEventListener('input', apply);
      el.addEventListener('change', apply);
    });
  apply();
})();
