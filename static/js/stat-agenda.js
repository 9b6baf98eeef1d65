// The Stat session's agenda on the screen: a countdown timer per topic. The page is a plain agenda without this
// file (start times and minutes are in the table); with it, each topic row gets a Start/Pause button and the time
// left. Starting one topic's timer pauses the others. When a topic's time is up, its row says so and a live region
// announces it once. No inline script or style: the Content-Security-Policy allows neither.
(function () {
  "use strict";

  function format(seconds) {
    var negative = seconds < 0;
    var s = Math.abs(seconds);
    var text = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    return negative ? "−" + text + " over" : text + " left";
  }

  function setUp(table) {
    var rows = table.querySelectorAll("[data-agenda-topic]");
    var announce = document.querySelector("[data-agenda-announce]");
    var heading = table.querySelector("[data-agenda-timer-heading]");
    var help = document.getElementById("agenda-timer-help");
    if (heading) {
      heading.hidden = false;
    }
    if (help) {
      help.hidden = false;
    }
    var timers = [];
    var ticking = null;

    function stopAll(except) {
      timers.forEach(function (timer) {
        if (timer !== except && timer.running) {
          timer.running = false;
          label(timer, "Resume");
        }
      });
    }

    function label(timer, verb) {
      timer.verb.textContent = verb;
    }

    function tick() {
      timers.forEach(function (timer) {
        if (!timer.running) {
          return;
        }
        timer.left -= 1;
        timer.display.textContent = format(timer.left);
        if (timer.left === 0) {
          timer.row.classList.add("bg-secondary-lighter");
          if (announce) {
            announce.textContent = "Time is up for " + timer.title + ".";
          }
        }
      });
    }

    rows.forEach(function (row) {
      var cell = row.querySelector("[data-agenda-timer-cell]");
      if (!cell) {
        return;
      }
      var title = row.querySelector("th").firstChild.textContent.trim();
      var timer = {
        row: row,
        title: title,
        left: parseInt(row.getAttribute("data-seconds"), 10) || 0,
        running: false,
        display: document.createElement("span"),
        button: document.createElement("button"),
        verb: document.createElement("span")
      };
      var named = document.createElement("span");
      named.className = "usa-sr-only";
      named.textContent = " the timer for " + title;
      timer.display.className = "display-inline-block margin-right-1";
      timer.display.textContent = format(timer.left);
      timer.button.type = "button";
      timer.button.className = "usa-button usa-button--outline usa-button--small margin-0";
      timer.button.appendChild(timer.verb);
      timer.button.appendChild(named);
      label(timer, "Start");
      timer.button.addEventListener("click", function () {
        if (timer.running) {
          timer.running = false;
          label(timer, "Resume");
          return;
        }
        stopAll(timer);
        timer.running = true;
        label(timer, "Pause");
        if (!ticking) {
          ticking = window.setInterval(tick, 1000);
        }
      });
      cell.appendChild(timer.display);
      cell.appendChild(timer.button);
      cell.hidden = false;
      timers.push(timer);
    });
  }

  document.querySelectorAll("[data-agenda]").forEach(setUp);

  // After the recording form is sent in place (htmx): focus its error summary if it came back with errors, else
  // its first field, ready for the next request.
  document.addEventListener("htmx:afterSettle", function (event) {
    var path = event.detail && event.detail.pathInfo ? event.detail.pathInfo.requestPath || "" : "";
    if (path.indexOf("/action-items/add/") === -1) {
      return;
    }
    var summary = document.querySelector("#record-form [data-error-summary]");
    var first = document.querySelector("#record-form input[type='text']");
    if (summary) {
      summary.focus();
    } else if (first) {
      first.focus();
    }
  });
})();
