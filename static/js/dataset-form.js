// The dataset form's inline rows (distributions, dictionary fields): add a row, move a field up or down.
// Without this file the form still works: it has blank rows to fill and position numbers to reorder.
(function () {
  "use strict";

  function rowsOf(list) {
    return Array.prototype.slice.call(list.querySelectorAll(":scope > [data-row]"));
  }

  function isBlank(row) {
    var id = row.querySelector('input[type="hidden"][name$="-id"]');
    if (id && id.value) {
      return false;
    }
    var texts = row.querySelectorAll('input[type="text"], input[type="url"], textarea');
    for (var i = 0; i < texts.length; i++) {
      if (texts[i].value.trim()) {
        return false;
      }
    }
    return true;
  }

  // Number the rows as they now stand, and give each its position (the dictionary's order on saving).
  function renumber(list) {
    rowsOf(list).forEach(function (row, index) {
      var number = row.querySelector("[data-row-number]");
      if (number) {
        number.textContent = String(index + 1);
      }
      var order = row.querySelector("[data-order]");
      if (order && !isBlank(row)) {
        order.value = String(index + 1);
      }
      row.querySelectorAll("[data-move]").forEach(function (button) {
        var up = button.getAttribute("data-move") === "up";
        button.disabled = up ? index === 0 : index === rowsOf(list).length - 1;
        button.setAttribute("aria-label", (up ? "Move field " : "Move field ") + (index + 1) + (up ? " up" : " down"));
      });
    });
  }

  function addMoveButtons(row, list) {
    var actions = row.querySelector("[data-row-actions]");
    if (!actions || !row.querySelector("[data-order]")) {
      return;
    }
    ["up", "down"].forEach(function (direction) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "usa-button usa-button--outline usa-button--small margin-right-1";
      button.textContent = direction === "up" ? "Move up" : "Move down";
      button.setAttribute("data-move", direction);
      button.addEventListener("click", function () {
        var sibling = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
        if (!sibling) {
          return;
        }
        list.insertBefore(row, direction === "up" ? sibling : sibling.nextElementSibling);
        renumber(list);
        if (button.disabled) {
          row.querySelector("[data-move]:not([disabled])").focus();
        } else {
          button.focus();
        }
      });
      actions.appendChild(button);
    });
  }

  function bindFormset(list) {
    var prefix = list.getAttribute("data-formset");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty-row");
    var add = document.querySelector('[data-add-row="' + prefix + '"]');
    rowsOf(list).forEach(function (row) {
      addMoveButtons(row, list);
    });
    renumber(list);
    if (!total || !template || !add) {
      return;
    }
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      var row = holder.firstElementChild;
      list.appendChild(row);
      total.value = String(index + 1);
      addMoveButtons(row, list);
      renumber(list);
      var first = row.querySelector('input[type="text"], input[type="url"]');
      if (first) {
        first.focus();
      }
    });
  }

  function bind() {
    var form = document.querySelector("[data-dataset-form]");
    if (!form) {
      return;
    }
    var lists = form.querySelectorAll("[data-formset]");
    lists.forEach(bindFormset);
    // A blank row is ignored on saving unless it has a position: leave its position empty.
    form.addEventListener("submit", function () {
      lists.forEach(function (list) {
        rowsOf(list).forEach(function (row) {
          var order = row.querySelector("[data-order]");
          if (order && isBlank(row)) {
            order.value = "";
          }
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();
