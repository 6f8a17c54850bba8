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
  // Long lists (procedures, provinces, communes) filter as you type; accents are optional.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  document.querySelectorAll(".js-filter select").forEach(function (select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "filter-input";
    input.setAttribute("aria-label", select.getAttribute("data-filter-label") || "Lọc / Filter");
    input.placeholder = document.documentElement.lang === "en" ? "Type to filter…" : "Gõ để lọc…";
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var firstMatch = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        var text = fold(option.text);
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !match;
        option.disabled = !match;
        if (match && firstMatch === null) { firstMatch = option; }
      });
      var current = select.selectedIndex < 0 ? null : select.options[select.selectedIndex];
      if (firstMatch && (!current || current.hidden || !current.value)) {
        select.value = firstMatch.value;
        select.dispatchEvent(new Event("change"));
      }
    });
  });

  // A link to copy: one tap selects all of it.
  document.querySelectorAll(".js-select-all").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // "Use my location": the phone's own position, only when the citizen allows it.
  document.querySelectorAll(".js-locate").forEach(function (button) {
    if (!navigator.geolocation) { return; }
    button.hidden = false;
    var form = button.form;
    var status = form.querySelector(".js-locate-status");
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-locating");
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector(".js-lat").value = position.coords.latitude.toFixed(6);
        form.querySelector(".js-lon").value = position.coords.longitude.toFixed(6);
        status.textContent = button.getAttribute("data-located").replace("{m}", Math.round(position.coords.accuracy));
      }, function () {
        status.textContent = button.getAttribute("data-failed");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });
})();
