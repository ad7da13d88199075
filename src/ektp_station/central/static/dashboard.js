// Swaps the panel for a fresh one every few seconds, without reloading the page.
// The server renders the panel (the same template as the first page); a lost session
// sends the supervisor back to the login.
(function () {
  "use strict";
  var panel = document.getElementById("panel");
  var status = document.getElementById("refresh-status");
  if (!panel) { return; }
  var seconds = parseInt(panel.getAttribute("data-refresh"), 10) || 5;
  var busy = false;

  function refresh() {
    if (busy) { return; }
    busy = true;
    fetch("/dashboard/panel", { credentials: "same-origin", cache: "no-store" })
      .then(function (reply) {
        if (reply.status === 401) { window.location.assign("/dashboard/login"); return null; }
        if (!reply.ok) { throw new Error("HTTP " + reply.status); }
        return reply.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        panel.innerHTML = html;
        status.textContent = "";
        status.className = "status";
      })
      .catch(function () {
        status.textContent = panel.getAttribute("data-failed");
        status.className = "status failed";
      })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, seconds * 1000);
})();
