/* Common Agenda — working teams and action plans: small progressive enhancements.
 *
 * Every page works without this file: filters have a submit button, forms post normally.
 */
(function () {
  "use strict";

  // Filter forms marked data-autosubmit apply a changed <select> at once.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.tagName !== "SELECT") {
      return;
    }
    var form = field.closest && field.closest("form[data-autosubmit]");
    if (form) {
      form.submit();
    }
  });

  // Reporting progress: marking a step done sets 100 %; 100 % offers "done".
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form");
    if (!form) {
      return;
    }
    var status = form.querySelector('select[name="status"]');
    var progress = form.querySelector('input[name="progress_pct"]');
    if (!status || !progress) {
      return;
    }
    if (event.target === status && status.value === "done") {
      progress.value = "100";
    } else if (event.target === progress && progress.value === "100" && status.value !== "cancelled") {
      status.value = "done";
    } else if (event.target === progress && Number(progress.value) > 0 && status.value === "planned") {
      status.value = "in_progress";
    }
  });

  // The report page's print button needs JavaScript, so it stays hidden without it.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
