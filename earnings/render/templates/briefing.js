// Draws each chart of the briefing file from its JSON block; plotly.js is embedded above, nothing is fetched.
(function () {
  var config = {"displayModeBar": false, "responsive": false, "scrollZoom": false, "displaylogo": false};
  document.querySelectorAll("div.chart[data-figure]").forEach(function (div) {
    var spec = JSON.parse(document.getElementById(div.getAttribute("data-figure")).textContent);
    Plotly.newPlot(div, spec.data, spec.layout, config);
  });
})();
