/* Memoranda — the signing page. A progressive enhancement only: without JavaScript the form posts as
 * it is and the server checks the same things (name typed, consent given, the hash of the text).
 */
(function () {
  "use strict";

  function ready(form) {
    var name = form.querySelector("input[name='typed_name']");
    var consent = form.querySelector("input[name='consent']");
    return Boolean(name && consent && name.value.trim().length >= 3 && consent.checked);
  }

  function wire(form) {
    var button = form.querySelector("[data-sign-submit]");
    if (!button) {
      return;
    }
    var update = function () {
      button.disabled = !ready(form);
    };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    // One click signs once: the button is disabled while the request is on its way.
    form.addEventListener("submit", function () {
      if (ready(form)) {
        window.setTimeout(function () {
          button.disabled = true;
        }, 0);
      }
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.ca-sign-form"), wire);
  });
})();
