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

  // Charts: "PNG" draws the chart's own SVG on a canvas (twice its size) and downloads it.
  // Everything stays in the page: no server round trip, no outside service.
  function downloadPng(button) {
    var figure = document.getElementById(button.getAttribute("data-dz-png"));
    var svg = figure && figure.querySelector("svg");
    if (!svg) {
      return;
    }
    var box = svg.viewBox && svg.viewBox.baseVal;
    var width = (box && box.width) || svg.clientWidth;
    var height = (box && box.height) || svg.clientHeight;
    var copy = svg.cloneNode(true);
    copy.setAttribute("width", width);
    copy.setAttribute("height", height);
    var text = new XMLSerializer().serializeToString(copy);
    var url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml;charset=utf-8" }));
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = width * 2;
      canvas.height = height * 2;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.getAttribute("data-dz-png-name") || "chart.png";
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      }, "image/png");
    };
    image.src = url;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-dz-indicator-form]").forEach(bindIndicatorForm);
    document.querySelectorAll("[data-dz-png]").forEach(function (button) {
      button.addEventListener("click", function () { downloadPng(button); });
    });
  });
})();
