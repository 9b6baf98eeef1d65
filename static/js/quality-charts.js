// Draw the quality charts: each [data-plotly-figure] element names the json_script holding its Plotly figure
// (built in Python by quality/charts.py). plotly.js (our own copy, named by this script's data-plotly-src) is
// fetched only once the page has loaded, so its size never holds the page up. The figures' numbers are in a
// table beside each chart, so the page says everything without this file or without plotly.js.
(function () {
  "use strict";

  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };
  var plotlySrc = document.currentScript && document.currentScript.getAttribute("data-plotly-src");
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) {
      return Promise.resolve(window.Plotly);
    }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = plotlySrc;
        script.onload = function () {
          resolve(window.Plotly);
        };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function draw(root) {
    var pending = Array.prototype.filter.call(root.querySelectorAll("[data-plotly-figure]"), function (element) {
      return !element.getAttribute("data-drawn");
    });
    if (!pending.length || !plotlySrc) {
      return;
    }
    loadPlotly().then(function (Plotly) {
      pending.forEach(function (element) {
        var source = document.getElementById(element.getAttribute("data-plotly-figure"));
        if (!source || element.getAttribute("data-drawn")) {
          return;
        }
        var figure = JSON.parse(source.textContent);
        element.setAttribute("data-drawn", "true");
        Plotly.newPlot(element, figure.data, figure.layout, CONFIG);
      });
    });
  }

  if (document.readyState === "complete") {
    draw(document);
  } else {
    window.addEventListener("load", function () {
      draw(document);
    });
  }
  // A check finished on the page replaces the panel's trend in place (an out-of-band swap): the chart it replaces is
  // let go of first, and the new one drawn once it has settled.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !window.Plotly) {
      return;
    }
    target.querySelectorAll("[data-drawn]").forEach(function (element) {
      window.Plotly.purge(element);
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    draw(document);
  });
})();
