// Scoreboard filters: text search, status, tier, testbed and family. Works offline, no dependencies.
(function () {
  var q = document.getElementById('q');
  var selects = ['status', 'tier', 'testbed', 'family'].map(function (k) {
    return { key: k, el: document.getElementById(k) };
  });
  var shown = document.getElementById('shown');
  function visible(el) {
    return el.style.display !== 'none';
  }
  function apply() {
    var text = (q.value || '').toLowerCase().trim();
    var n = 0;
    document.querySelectorAll('tr.paper').forEach(function (tr) {
      var ok = !text || tr.getAttribute('data-text').indexOf(text) >= 0;
      selects.forEach(function (s) {
        if (ok && s.el.value && tr.getAttribute('data-' + s.key) !== s.el.value) ok = false;
      });
      tr.style.display = ok ? '' : 'none';
      if (ok) n++;
    });
    document.querySelectorAll('section.family').forEach(function (s) {
      s.style.display = Array.prototype.some.call(s.querySelectorAll('tr.paper'), visible) ? '' : 'none';
    });
    document.querySelectorAll('section.group').forEach(function (s) {
      var k = Array.prototype.filter.call(s.querySelectorAll('tr.paper'), visible).length;
      s.style.display = k ? '' : 'none';
      var c = s.querySelector('.group-shown');
      if (c) c.textContent = String(k);
    });
    shown.textContent = n + ' shown';
  }
  [q]
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
