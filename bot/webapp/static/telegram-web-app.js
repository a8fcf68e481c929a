// The emulator's local stand-in for Telegram's telegram-web-app.js: like Telegram, the page's opener puts
// the signed initData in the URL fragment (#tgWebAppData=...); nothing is fetched from elsewhere.
(function () {
  "use strict";
  var hash = new URLSearchParams(location.hash.slice(1));
  var initData = hash.get("tgWebAppData") || "";
  window.Telegram = {
    WebApp: {
      initData: initData,
      initDataUnsafe: {},
      ready: function () {},
      expand: function () {},
      close: function () { window.close(); },
    },
  };
})();
