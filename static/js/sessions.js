/* Common Agenda — session pages: small progressive enhancements; every page works without them.
 *
 * - Invite page: ticking an organisation ticks (or unticks) its representatives.
 * - Attendance page: one button marks everyone who accepted as attended.
 * - Calendar feed page: copy the subscription link.
 */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-org-toggle]");
    if (!toggle) {
      return;
    }
    var group = toggle.closest("[data-org-group]");
    if (!group) {
      return;
    }
    // The server invites the organisation's representatives only: tick just those, as the page says.
    group.querySelectorAll("[data-org-person][data-representative]").forEach(function (box) {
      box.checked = toggle.checked;
    });
  });

  function markAccepted() {
    document.querySelectorAll("tr").forEach(function (row) {
      var reply = row.querySelector("[data-reply]");
      var attended = row.querySelector("[data-attended]");
      if (reply && attended && !attended.disabled && reply.value === "accepted") {
        attended.value = "yes";
      }
    });
  }

  function copyFrom(selector, button) {
    var input = document.querySelector(selector);
    if (!input) {
      return;
    }
    input.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || button.textContent;
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Buttons that need JavaScript are hidden (d-none) until it runs.
    document.querySelectorAll("[data-mark-accepted], [data-copy]").forEach(function (button) {
      button.classList.remove("d-none");
    });
  });

  document.addEventListener("click", function (event) {
    var mark = event.target.closest && event.target.closest("[data-mark-accepted]");
    if (mark) {
      markAccepted();
      return;
    }
    var copy = event.target.closest && event.target.closest("[data-copy]");
    if (copy) {
      copyFrom(copy.getAttribute("data-copy"), copy);
    }
  });
})();
