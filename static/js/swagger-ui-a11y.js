// Swagger UI at /api/docs/ (templates/drf_spectacular/swagger_ui.html): accessibility fixes, from a file rather than
// an inline script, which the Content-Security-Policy refuses.
// Swagger UI renders some form controls without a name (axe: select-name): name each after its row.
// Its example blocks can scroll: make them reachable by keyboard (axe: scrollable-region-focusable).
new MutationObserver(function () {
  document.querySelectorAll(".swagger-ui pre:not([tabindex])").forEach(function (el) {
    el.setAttribute("tabindex", "0");
  });
  document.querySelectorAll(".swagger-ui select:not([aria-label]), .swagger-ui input:not([aria-label])").forEach(function (el) {
    var row = el.closest("tr[data-param-name]");
    var name = row ? row.getAttribute("data-param-name") : (el.getAttribute("placeholder") || "value");
    el.setAttribute("aria-label", name);
  });
}).observe(document.body, {childList: true, subtree: true});
