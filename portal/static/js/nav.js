// On a phone the header's links fold behind a "Menu" button. Without this script (or
// on a wide screen) they stay in view, wrapped whole; nothing depends on it.
(function () {
  "use strict";
  var toggle = document.querySelector("[data-nav-toggle]");
  var nav = document.getElementById(toggle ? toggle.getAttribute("aria-controls") : "");
  if (!toggle || !nav) return;
  var phone = window.matchMedia("(max-width: 40rem)");

  function show(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-folded", !open);
  }
  function fit() {
    toggle.hidden = !phone.matches;
    show(!phone.matches);
  }
  toggle.addEventListener("click", function () {
    show(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && phone.matches && toggle.getAttribute("aria-expanded") === "true") {
      show(false);
      toggle.focus();
    }
  });
  phone.addEventListener("change", fit);
  fit();
})();
