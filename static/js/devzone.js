// devzone page behaviour. Loaded as a file (no inline script) so a strict CSP can apply.
(function () {
  "use strict";

  // Indicator form: the month only applies to monthly figures.
  function bindIndicatorForm(form) {
    var kind = form.querySelector("select[name='period_kind']");
    var monthBox = form.querySelector("[data-dz-month]");
    var month = form.querySelector("select[name='month']");
    if (!kind || !monthBox || !month) {
      return;
    }
    function sync() {
      var yearly = kind.value === "year";
      month.disabled = yearly;
      if (yearly) {
        month.value = "";
      }
      monthBox.classList.toggle("opacity-50", yearly);
    }
    kind.addEventListener("change", sync);
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-dz-indicator-form]").forEach(bindIndicatorForm);
  });
})();
