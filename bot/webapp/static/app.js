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
  var ref = new URLSearchParams(location.search).get("ref");
  fetch("/app/session", {
    method: "POST",
    body: new URLSearchParams({ init_data: tg.initData }),
    credentials: "same-origin",
  }).then(function (response) {
    if (!response.ok) {
      status.textContent = status.getAttribute("data-refused");
      return;
    }
    location.replace(ref ? "/app/case?ref=" + encodeURIComponent(ref) : "/app/lists");
  });
})();
