// The public measure page's and its embed's charts are drawn by the server as SVG (goals/line_chart.py), so a phone
// downloads and starts no plotly.js to see them. This shows each one's "Interactive chart" button (its box is hidden
// without JavaScript) and, when it is pressed, loads plotly.js and static/js/goals-charts.js once (their URLs are this
// script element's data attributes) and swaps the drawing for the plotly chart, which then takes the focus: its
// tooltips and arrow keys work as on the signed-in dashboards. The Content-Security-Policy refuses plotly.js's own
// <style> elements, so its stylesheet and the stand-in that stops MapLibre's injection come first, as
// templates/components/plotly_styles.html puts them on the other pages.
(function () {
  "use strict";

  var script = document.currentScript;
  var loading = null;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = function () {
        reject(new Error("could not load " + src));
      };
      document.head.appendChild(element);
    });
  }

  function loadPlotly() {
    if (!loading) {
      var css = document.createElement("link");
      css.id = "plotly.js-style-global";
      css.className = "no-inline-styles";
      css.rel = "stylesheet";
      css.href = script.getAttribute("data-plotly-css");
      document.head.appendChild(css);
      var maplibre = document.createElement("span");
      maplibre.id = script.getAttribute("data-maplibre-css-id");
      maplibre.hidden = true;
      document.body.appendChild(maplibre);
      loading = load(script.getAttribute("data-plotly")).then(function () {
        return load(script.getAttribute("data-charts"));
      });
    }
    return loading;
  }

  function show(button) {
    var id = button.getAttribute("data-goals-interactive");
    var plot = document.getElementById(id + "-plot");
    var drawing = document.getElementById(id + "-static");
    var help = document.getElementById(id + "-help");
    button.disabled = true;
    button.textContent = "Loading the interactive chart…";
    loadPlotly().then(
      function () {
        plot.hidden = false;
        if (help) {
          help.hidden = false;
        }
        if (drawing) {
          drawing.hidden = true;
        }
        button.parentElement.hidden = true;
        // goals-charts.js draws a chart when it is focused.
        plot.focus();
      },
      function () {
        // The drawing stays; the button says what happened.
        button.textContent = "The interactive chart could not be loaded";
      }
    );
  }

  function setUp() {
    document.querySelectorAll("[data-goals-interactive]").forEach(function (button) {
      button.parentElement.hidden = false;
      button.addEventListener("click", function () {
        show(button);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
