// statprogram's small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Move focus to a form's error summary so screen-reader and keyboard users hear what went wrong.
  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // On the role form, show only the fields the chosen role uses (department, portfolio, speciality).
  // Each optional group says which roles use it: data-show-for="department_lead department_contact".
  function bindRoleFields(root) {
    var select = root.querySelector("[data-role-select]");
    if (!select) {
      return;
    }
    var groups = root.querySelectorAll("[data-show-for]");
    function update() {
      var role = select.value;
      groups.forEach(function (group) {
        var roles = group.getAttribute("data-show-for").split(" ");
        var hasError = group.classList.contains("usa-form-group--error");
        group.hidden = !(hasError || roles.indexOf(role) !== -1);
      });
    }
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
    bindRoleFields(document);
  });

  // After htmx swaps new content in (ending a role in place), move focus to its status message so the change
  // is announced and keyboard users keep their place.
  document.addEventListener("htmx:afterSettle", function () {
    var status = document.querySelector("[data-focus-after-swap]");
    if (status) {
      status.removeAttribute("data-focus-after-swap");
      status.focus();
    }
  });
})();
