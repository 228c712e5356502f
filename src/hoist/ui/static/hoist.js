// hoist's web UI: the seconds a request has been waiting, beside its busy indicator, and the
// buttons of a submitted form disabled while its page loads (Preview and Run take a while).
// A file of its own (the Content-Security-Policy allows no inline script); no other behaviour.
(function () {
  "use strict";
  let started = 0;
  let timer = 0;
  let inFlight = 0;
  function tick() {
    const seconds = Math.floor((Date.now() - started) / 1000);
    document.querySelectorAll("[data-elapsed]").forEach(function (element) {
      element.textContent = seconds + " s";
    });
  }
  document.addEventListener("htmx:beforeRequest", function () {
    if (inFlight === 0) {
      started = Date.now();
      tick();
      timer = window.setInterval(tick, 250);
    }
    inFlight += 1;
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    // After this turn, so the pressed button's name and value are still sent.
    window.setTimeout(function () {
      form.querySelectorAll("button").forEach(function (button) {
        button.disabled = true;
      });
      form.querySelectorAll(".submit-busy").forEach(function (busy) {
        busy.hidden = false;
      });
      if (inFlight === 0) {
        started = Date.now();
        tick();
        timer = window.setInterval(tick, 250);
      }
    }, 0);
  });
  document.addEventListener("htmx:afterRequest", function () {
    inFlight = Math.max(inFlight - 1, 0);
    if (inFlight === 0) {
      window.clearInterval(timer);
    }
  });
})();
