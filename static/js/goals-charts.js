// Draw the goals dashboards' charts: each [data-goals-chart] element names the json_script holding its Plotly figure
// (built in Python by goals/charts.py). Every chart's numbers are also in a summary and a table beside it, so the
// page says everything without this file or without plotly.js.
//
// Charts are drawn when they come near the screen (a page may hold dozens), and every one of them before the page
// is printed (or turned into a PDF by a browser), at the printed column's width. A chart with data-goals-live is
// usable by keyboard: focused, the left and right arrow keys (Home, End) step through its actual values, showing
// each one's tooltip and reading it out through the live region the attribute names.
(function () {
  "use strict";

  // The width charts are printed at, in CSS pixels: 7 inches, what a Letter or an A4 page leaves inside the margins
  // of static/css/print.css.
  var PRINT_WIDTH = 672;

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December"];

  function figureOf(element) {
    var source = document.getElementById(element.getAttribute("data-goals-chart"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function draw(element) {
    if (!window.Plotly || element.getAttribute("data-drawn")) {
      return;
    }
    var figure = figureOf(element);
    if (!figure) {
      return;
    }
    element.setAttribute("data-drawn", "true");
    window.Plotly.newPlot(element, figure.data, figure.layout, figure.config || { displayModeBar: false });
  }

  function label(x) {
    var parts = String(x).split("-");
    return parts.length >= 2 ? MONTHS[parseInt(parts[1], 10) - 1] + " " + parts[0] : String(x);
  }

  function actualTrace(element) {
    var data = element.data || [];
    for (var i = 0; i < data.length; i++) {
      if (data[i].name === "Actual") {
        return i;
      }
    }
    return data.length - 1;
  }

  function step(element, event) {
    var keys = { ArrowRight: 1, ArrowLeft: -1, Home: "first", End: "last" };
    if (!(event.key in keys) || !element.data) {
      return;
    }
    event.preventDefault();
    var traceIndex = actualTrace(element);
    var trace = element.data[traceIndex];
    var count = trace.x.length;
    var current = parseInt(element.getAttribute("data-point") || String(count), 10);
    var move = keys[event.key];
    var next = move === "first" ? 0 : move === "last" ? count - 1 : Math.min(count - 1, Math.max(0, current + move));
    element.setAttribute("data-point", String(next));
    try {
      window.Plotly.Fx.hover(element, [{ curveNumber: traceIndex, pointNumber: next }]);
    } catch (error) {
      // The tooltip is a nicety; the live region below says the same.
    }
    var target = element.data[0] && element.data[0].name === "Target" ? element.data[0].y[next] : null;
    // A weekly, quarterly or annual measure names its periods itself ("Week of 2 March 2026", "2026 Q1").
    var when = trace.customdata && trace.customdata[next] ? trace.customdata[next] : label(trace.x[next]);
    var text = when + ": " + trace.y[next];
    if (target !== null && target !== undefined) {
      text += ", target " + target;
    }
    if (trace.text && trace.text[next]) {
      text += ", " + trace.text[next];
    }
    var live = document.getElementById(element.getAttribute("data-goals-live"));
    if (live) {
      live.textContent = text + " (" + (next + 1) + " of " + count + ")";
    }
  }

  // Before printing: draw every chart not drawn yet (charts far down the page are drawn only when scrolled to) and
  // lay each out at the printed width. Plotly draws synchronously, so the printout has them.
  function beforePrint() {
    if (!window.Plotly) {
      return;
    }
    document.querySelectorAll("[data-goals-chart]").forEach(function (element) {
      draw(element);
      if (element.getAttribute("data-drawn") && !element.getAttribute("data-print-width")) {
        element.setAttribute("data-print-width", String(PRINT_WIDTH));
        window.Plotly.relayout(element, { width: PRINT_WIDTH });
      }
    });
  }

  // After printing: each chart takes its column's width on the screen again.
  function afterPrint() {
    document.querySelectorAll("[data-print-width]").forEach(function (element) {
      element.removeAttribute("data-print-width");
      window.Plotly.relayout(element, { width: null, autosize: true });
    });
  }

  function watchPrinting() {
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", afterPrint);
    // Some browsers (and a PDF made from the page) switch to the print media without those events.
    var print = window.matchMedia ? window.matchMedia("print") : null;
    var changed = function (event) {
      if (event.matches) {
        beforePrint();
      } else {
        afterPrint();
      }
    };
    if (print && print.addEventListener) {
      print.addEventListener("change", changed);
    } else if (print && print.addListener) {
      print.addListener(changed);
    }
  }

  function setUp(root) {
    var charts = root.querySelectorAll("[data-goals-chart]");
    var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, { rootMargin: "400px 0px" }) : null;
    charts.forEach(function (element) {
      // Each chart keeps its figure's height before it is drawn, so charts far down the page stay out of view
      // (set here rather than in a style attribute, which the Content-Security-Policy would refuse).
      var height = parseInt(element.getAttribute("data-height") || "0", 10);
      if (height > 0) {
        element.style.minHeight = height + "px";
      }
      if (element.getAttribute("data-goals-live")) {
        element.addEventListener("keydown", function (event) {
          draw(element);
          step(element, event);
        });
      }
      element.addEventListener("focus", function () {
        draw(element);
      });
      if (observer) {
        observer.observe(element);
      } else {
        draw(element);
      }
    });
  }

  function start() {
    setUp(document);
    watchPrinting();
  }

  // Loaded with the page (defer), or later on request (static/js/goals-chart-switch.js).
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
