/* Common Agenda — the site's own JavaScript.
 *
 * Loaded as a static file because the Content-Security-Policy forbids inline scripts. Keep behaviour
 * here as small, progressive enhancements: every page must also work without JavaScript.
 */
(function () {
  "use strict";

  /** The CSRF token rendered into <meta name="csrf-token">, falling back to the csrftoken cookie. */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      return meta.content;
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // htmx: send Django's CSRF header with every non-GET request it makes.
  document.addEventListener("htmx:configRequest", function (event) {
    var verb = (event.detail.verb || "get").toLowerCase();
    if (verb !== "get") {
      event.detail.headers["X-CSRFToken"] = csrfToken();
    }
  });

  // Horizontally scrollable tables must be reachable by keyboard (WCAG 2.1.1): make each wrapper a
  // focusable, labelled region. Runs on load and after htmx swaps.
  function focusableScrollers(root) {
    (root || document).querySelectorAll(".table-responsive:not([tabindex])").forEach(function (el) {
      el.tabIndex = 0;
      el.setAttribute("role", "region");
      if (!el.hasAttribute("aria-label")) {
        var caption = el.querySelector("caption");
        el.setAttribute("aria-label", caption ? caption.textContent.trim() : document.title);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { focusableScrollers(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusableScrollers(event.target); });

  // Move keyboard focus to the main region when the skip link is used (some browsers do not).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.skip-link");
    if (!link) {
      return;
    }
    var target = document.getElementById("main");
    if (target) {
      target.focus();
    }
  });

  // Forms marked data-confirm ask before submitting (e.g. irreversible actions).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
