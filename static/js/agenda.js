/* Common Agenda — SWOT board, goals and portfolio: small progressive enhancements.
 *
 * Every page works without this file: votes and new SWOT items are plain form posts that redirect back
 * to the board. With htmx (loaded by base.html) a vote or a new item swaps only its quadrant; this file
 * keeps the keyboard focus where it was, since the quadrant's buttons are replaced by new ones.
 */
(function () {
  "use strict";

  var lastFocusId = null;

  // htmx wires the forms of swapped-in content (hx-post and its submit handler) only when it settles the
  // swap, a timer later (20 ms; much more on a busy machine). A vote button activated in between posted
  // its form natively: a full page reload, the keyboard focus back on <body>. Enter activates a button as
  // the key goes down (Space only when it comes up), so a quick Enter on the new button landed there.
  // Wire the new content at once, in the same task as the swap.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && window.htmx && document.documentElement.contains(target)) {
      window.htmx.process(target);
    }
  });

  // One vote request per form at a time: a second press while the first is on its way acts on the old
  // state of the button and is dropped (the old form is replaced by the answer anyway).
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail && event.detail.elt;
    if (form && form.dataset && form.dataset.caBusy === "1") {
      event.preventDefault();
    }
  });

  // A held key repeats: Enter would toggle the vote on and off as long as it is held. Only a fresh press
  // activates a vote button.
  document.addEventListener(
    "keydown",
    function (event) {
      var target = event.target;
      if (event.repeat && target && target.closest && target.closest("button.ca-vote")) {
        event.preventDefault();
      }
    },
    true
  );

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (source && source.dataset) {
      source.dataset.caBusy = "1";
    }
    var active = document.activeElement;
    lastFocusId = active && active.id ? active.id : null;
    if (!lastFocusId && source && source.querySelector) {
      var button = source.querySelector("button[id]");
      lastFocusId = button ? button.id : null;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (source && source.dataset) {
      delete source.dataset.caBusy;
    }
  });

  // The swap replaces the focused button by a new one. htmx moves the focus to the new element of the
  // same id; this only steps in when the focus is lost: back to the button by its id, or, when the
  // focused control had none (the "Add" button of a new item), to the quadrant's status line or heading.
  function restoreFocus(event) {
    var target = event.detail && event.detail.target;
    if (!target) {
      return;
    }
    var active = document.activeElement;
    if (active && active !== document.body && document.documentElement.contains(active)) {
      return;
    }
    var again = lastFocusId ? document.getElementById(lastFocusId) : null;
    if (again) {
      again.focus();
      return;
    }
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
