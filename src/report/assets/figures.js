// Draw every figure of a page from its embedded JSON with the local plotly bundle (no network).
(function () {
  document.querySelectorAll('script.figure-data').forEach(function (s) {
    var id = s.getAttribute('data-figure');
    var target = null;
    document.querySelectorAll('div.plot').forEach(function (d) {
      if (d.getAttribute('data-figure') === id) target = d;
    });
    if (!target || !window.Plotly) return;
    var fig = JSON.parse(s.textContent);
    window.Plotly.newPlot(target, fig.data, Object.assign({ autosize: true }, fig.layout), {
      responsive: true,
      displaylogo: false,
    });
  });
})();
