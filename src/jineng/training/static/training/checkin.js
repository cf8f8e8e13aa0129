// The trainee's check-in page, opened from the class's QR code: asks the browser for the
// location, posts {token, lat, lng, device_id} to the API and shows its Chinese answer.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-testid=checkin]");
  if (!box) return;
  var result = box.querySelector("[data-testid=checkin-result]");
  var csrf = box.querySelector("input[name=csrfmiddlewaretoken]");

  function deviceId() {
    var key = "jineng-device-id", id = null;
    try { id = window.localStorage.getItem(key); } catch (e) { id = null; }
    if (!id) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { window.localStorage.setItem(key, id); } catch (e) { /* private mode: one id a visit */ }
    }
    return id;
  }

  function show(text, kind) {
    result.textContent = text;
    result.className = "checkin-result " + kind;
  }

  function post(lat, lng) {
    show(box.dataset.sending, "");
    fetch(box.dataset.apiUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : ""},
      body: JSON.stringify({token: box.dataset.token, lat: lat, lng: lng, device_id: deviceId()})
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      var kind = !answer.ok ? "refused" : (answer.body.code === "flagged" ? "flagged" : "ok");
      show(answer.body.message || box.dataset.network, kind);
    }).catch(function () { show(box.dataset.network, "refused"); });
  }

  show(box.dataset.locating, "");
  if (!navigator.geolocation) { post(null, null); return; }
  navigator.geolocation.getCurrentPosition(
    function (position) { post(position.coords.latitude, position.coords.longitude); },
    function () { post(null, null); },  // the server says, in Chinese, that a location is needed
    {enableHighAccuracy: true, timeout: 15000, maximumAge: 0});
});
