// The region picker (orgs/widgets/region_picker.html): htmx fetches the list as one types;
// this puts a chosen region into the box and closes the list. A static file, because the
// pages' CSP allows no inline script.
(function () {
  function close(picker) {
    picker.querySelector(".region-options").replaceChildren();
    picker.querySelector("[data-region-input]").setAttribute("aria-expanded", "false");
  }
  document.addEventListener("click", function (event) {
    var choice = event.target.closest(".region-choose");
    document.querySelectorAll(".region-picker").forEach(function (picker) {
      if (choice && picker.contains(choice)) {
        var input = picker.querySelector("[data-region-input]");
        input.value = choice.dataset.regionLabel;
        close(picker);
        input.dispatchEvent(new Event("change", { bubbles: true }));
      } else if (!picker.contains(event.target)) {
        close(picker);
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest && event.target.closest(".region-picker");
    if (picker && event.key === "Escape") close(picker);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var picker = event.target.closest(".region-picker");
    if (picker) picker.querySelector("[data-region-input]").setAttribute("aria-expanded", "true");
  });
})();
