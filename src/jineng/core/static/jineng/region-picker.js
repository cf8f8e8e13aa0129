// The region picker (orgs/widgets/region_picker.html): htmx fetches the list as one types;
// this puts a chosen region into the box and closes the list. A static file, because the
// pages' CSP allows no inline script.
(function () {
  function close(picker) {
    picker.querySelector(".region-options").replaceChildren();
    picker.querySelector("[data-region-input]").setAttribute("aria-expanded", "false");
  }
  // A box of several regions: the choice takes the place of the one being typed.
  function added(text, label) {
    var kept = text.replace(/[^、,，;；\n]*$/, "");
    return kept + label + "、";
  }
  document.addEventListener("click", function (event) {
    var choice = event.target.closest(".region-choose");
    document.querySelectorAll(".region-picker").forEach(function (picker) {
      if (choice && picker.contains(choice)) {
        var input = picker.querySelector("[data-region-input]");
        input.value = input.hasAttribute("data-region-multiple")
          ? added(input.value, choice.dataset.regionLabel)
          : choice.dataset.regionLabel;
        close(picker);
        input.dispatchEvent(new Event("change", { bubbles: true }));
        if (input.hasAttribute("data-region-multiple")) {  // ready for the next one
          input.focus();
          input.setSelectionRange(input.value.length, input.value.length);
        }
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
