/* Common Agenda — stakeholders and the role matrix.
 *
 * Progressive enhancements only: every action here also works as a plain link or form without
 * JavaScript (CSP forbids inline scripts, so this file is loaded by the pages that use it).
 */
(function () {
  "use strict";

  // After htmx swaps a role-matrix row, keep keyboard focus where the user is working: in the editor's
  // first field when it opens (or on the conflict notice), on the row's Edit button when it closes.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) {
      return;
    }
    var row = document.getElementById(target.id) || target;
    if (!row.matches || !row.matches("tr")) {
      return;
    }
    var focusable = row.querySelector(".ca-conflict") ||
      row.querySelector(".is-invalid") ||
      row.querySelector("form.ca-row-form select, form.ca-row-form textarea, form.ca-row-form input:not([type=hidden])") ||
      row.querySelector("a.btn, button");
    if (focusable) {
      if (focusable.classList.contains("ca-conflict")) {
        focusable.setAttribute("tabindex", "-1");
      }
      focusable.focus({ preventScroll: false });
    }
  });

  // A representative's row is shown twice (pinned on top, and in the table): when one copy is saved or
  // confirmed, fetch the other one again so both tell the same.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) {
      return;
    }
    var row = document.getElementById(target.id);
    if (!row || !row.matches("tr[data-entry]") || event.detail.requestConfig.verb !== "post") {
      return;
    }
    var pinned = target.id.indexOf("own-") === 0;
    var twinId = (pinned ? "entry-" : "own-entry-") + row.getAttribute("data-entry");
    var twin = document.getElementById(twinId);
    if (twin && window.htmx) {
      var url = row.getAttribute("data-row-url") + (pinned ? "" : "?pinned=1");
      window.htmx.ajax("GET", url, { target: "#" + twinId, swap: "outerHTML" });
    }
  });

  // A "Select all" button for checkbox lists (shown only when JavaScript runs).
  document.querySelectorAll("[data-select-all]").forEach(function (button) {
    var name = button.getAttribute("data-select-all");
    var boxes = document.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    if (!boxes.length) {
      return;
    }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      var all = Array.prototype.every.call(boxes, function (box) { return box.checked; });
      boxes.forEach(function (box) { box.checked = !all; });
    });
  });
})();
