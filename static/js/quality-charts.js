// Draw the quality charts: each [data-plotly-figure] element names the json_script holding its Plotly figure
// (built in Python by quality/charts.py). The figures' numbers are in a table beside each chart, so the page says
// everything without this file or without plotly.js.
(function () {
  "use strict";

  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };

  function draw(root) {
    if (!window.Plotly) {
      return;
    }
    root.querySelectorAll("[data-plotly-figure]").forEach(function (element) {
      if (element.getAttribute("data-drawn")) {
        return;
      }
      var source = document.getElementById(element.getAttribute("data-plotly-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      element.setAttribute("data-drawn", "true");
      window.Plotly.newPlot(element, figure.data, figure.layout, CONFIG);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    draw(event.target);
  });
})();
