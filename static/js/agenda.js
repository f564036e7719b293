/* Common Agenda — SWOT board, goals and portfolio: small progressive enhancements.
 *
 * Every page works without this file: votes and new SWOT items are plain form posts that redirect back
 * to the board. With htmx (loaded by base.html) a vote or a new item swaps only its quadrant; this file
 * keeps the keyboard focus where it was, since the quadrant's buttons are replaced by new ones.
 */
(function () {
  "use strict";

  var lastFocusId = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    lastFocusId = active && active.id ? active.id : null;
    var source = event.detail && event.detail.elt;
    if (!lastFocusId && source && source.querySelector) {
      var button = source.querySelector("button[id]");
      lastFocusId = button ? button.id : null;
    }
  });

  function restoreFocus(event) {
    var target = event.detail && event.detail.target;
    if (!target) {
      return;
    }
    var again = lastFocusId ? document.getElementById(lastFocusId) : null;
    if (again) {
      // Kept until the next request: a later swap or settle of the same quadrant restores it again.
      if (document.activeElement !== again) {
        again.focus();
      }
      return;
    }
    var active = document.activeElement;
    if (active && active !== document.body && document.documentElement.contains(active)) {
      return;
    }
    // A new item was added: its form was replaced; move focus to the quadrant's status line or heading.
    var status = target.querySelector(".ca-swot-flash, h2") || target;
    status.setAttribute("tabindex", "-1");
    status.focus();
  }

  document.addEventListener("htmx:afterSwap", restoreFocus);
  document.addEventListener("htmx:afterSettle", restoreFocus);

  // Goal form: the new-indicator fields only matter when no indicator of the library is chosen.
  function syncIndicatorFields(select) {
    var form = select.form;
    if (!form) {
      return;
    }
    ["new_indicator_name", "new_indicator_kind", "new_indicator_direction"].forEach(function (name) {
      var field = form.elements[name];
      if (field) {
        field.disabled = Boolean(select.value);
      }
    });
  }

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.name === "indicator" && field.closest && field.closest("form.ca-goal-form")) {
      syncIndicatorFields(field);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("form.ca-goal-form select[name='indicator']");
    if (select) {
      syncIndicatorFields(select);
    }
  });
})();
