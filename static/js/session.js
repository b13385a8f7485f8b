// Warn two minutes before the idle sign-out and offer "Stay signed in"
// (WCAG 2.2.1). Nothing on the page is reloaded, so typed text stays.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) { return; }
  var idle = Number(box.dataset.idleTimeout) * 1000;
  var warnBefore = Number(box.dataset.warning) * 1000;
  var warnTimer, endTimer, opener;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(show, idle - warnBefore);
    endTimer = setTimeout(function () {
      window.location.assign(box.dataset.expiredUrl);
    }, idle);
  }

  function show() {
    opener = document.activeElement;
    box.hidden = false;
    document.getElementById("session-stay").focus();
  }

  function stay() {
    var token = box.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(box.dataset.keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
      redirect: "manual"  // a redirect means the session already ended
    }).then(function (response) {
      if (!response.ok) { window.location.assign(box.dataset.expiredUrl); return; }
      box.hidden = true;
      if (opener && opener.focus) { opener.focus(); }
      schedule();
    });
  }

  document.getElementById("session-stay").addEventListener("click", stay);
  schedule();
})();
