// The shell: hand Telegram's initData to the server once, get a session cookie, go to the page asked for.
(function () {
  "use strict";
  var status = document.getElementById("status");
  if (!status) return; // a page that is not the shell
  var tg = window.Telegram && window.Telegram.WebApp;
  if (!tg || !tg.initData) {
    status.textContent = status.getAttribute("data-refused");
    return;
  }
  if (tg.ready) tg.ready();
  if (tg.expand) tg.expand();
  var query = new URLSearchParams(location.search);
  var ref = query.get("ref");
  var step = query.get("step"); // the chat's "fill in this step in the app"
  var signal = query.get("to") === "signal"; // the chat's "fill in the signal in the app"
  fetch("/app/session", {
    method: "POST",
    body: new URLSearchParams({ init_data: tg.initData }),
    credentials: "same-origin",
  }).then(function (response) {
    if (!response.ok) {
      status.textContent = status.getAttribute("data-refused");
      return;
    }
    if (signal) location.replace("/app/signal");
    else if (ref && step)
      location.replace("/app/step?ref=" + encodeURIComponent(ref) + "&step=" + encodeURIComponent(step));
    else location.replace(ref ? "/app/case?ref=" + encodeURIComponent(ref) : "/app/lists");
  });
})();
