// Portal behaviour kept out of the HTML (the Content Security Policy forbids inline script).

// "Print this page" buttons.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});

// GOV.UK Design System error summary: focus it when the page loads, and make
// its links move focus to the field (or the first choice of a group) they name.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var control = target.matches("input, select, textarea, button")
      ? target
      : target.querySelector("input, select, textarea, button") || target;
    var group = control.closest("fieldset");
    var label = group ? group.querySelector("legend") : document.querySelector("label[for='" + control.id + "']");
    (label || control).scrollIntoView();
    control.focus({ preventScroll: true });
  });
})();
