// The class's screen: fetches the current session's QR code and the count of check-ins
// from the state address, again when the code changes (every 30 s) and every 5 s for the
// count, without reloading the page.
document.addEventListener("DOMContentLoaded", function () {
  var screen = document.querySelector("[data-testid=screen]");
  if (!screen) return;
  var qr = screen.querySelector("[data-testid=screen-qr]");
  var message = screen.querySelector("[data-testid=screen-message]");
  var count = screen.querySelector("[data-testid=screen-count]");
  var session = screen.querySelector("[data-testid=screen-session]");
  var shownUrl = qr.dataset.url || "";

  function apply(state) {
    message.textContent = state.message || "";
    if (state.qr) {
      if (state.url !== shownUrl) { qr.src = state.qr; qr.dataset.url = state.url; shownUrl = state.url; }
      qr.hidden = false;
    } else {
      qr.hidden = true; shownUrl = "";
    }
    session.textContent = state.session_text || "";
    count.textContent = state.count_text || "";
    var wait = Math.min(5, Math.max(1, state.refresh_in || 5));
    window.setTimeout(poll, wait * 1000 + 200);
  }

  function poll() {
    fetch(screen.dataset.stateUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(apply)
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
});
