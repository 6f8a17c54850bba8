/* Small progressive enhancements; every page works without them. No inline scripts (CSP). */
(function () {
  "use strict";

  // Buttons with data-confirm ask before their form is sent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Print buttons (no inline handlers: the CSP forbids them).
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Choosing a province refreshes the commune list without a page reload.
  document.querySelectorAll(".js-province select").forEach(function (provinceSelect) {
    var form = provinceSelect.form;
    var communeSelect = form && form.querySelector(".js-commune select");
    if (!communeSelect) { return; }
    provinceSelect.addEventListener("change", function () {
      var code = provinceSelect.value;
      var placeholder = communeSelect.options.length ? communeSelect.options[0].text : "";
      communeSelect.innerHTML = "";
      communeSelect.add(new Option(placeholder, ""));
      if (!code) { return; }
      communeSelect.disabled = true;
      fetch("/places/provinces/" + encodeURIComponent(code) + "/communes", { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) {
          data.items.forEach(function (item) { communeSelect.add(new Option(item.name, item.code)); });
        })
        .finally(function () { communeSelect.disabled = false; });
    });
  });
})();
