/* The handover screens: a signature pad, the phone's position, and the fields that apply.
   Every form works without this file (a photo is then the proof). No inline scripts (CSP). */
(function () {
  "use strict";

  var INK = "#1d2330";
  var GUIDE = "#b9c1ce";

  // Sign with a finger: strokes on a canvas, kept in the form as a PNG data URL.
  function signaturePad(box) {
    var canvas = box.querySelector(".js-signature-canvas");
    var form = box.closest("form");
    var input = form && form.querySelector(".js-signature-data");
    var clear = box.querySelector(".js-signature-clear");
    if (!canvas || !input || !canvas.getContext) { return; }
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    var last = null;
    box.hidden = false;

    function blank() {
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.strokeStyle = GUIDE;
      context.lineWidth = 1;
      context.strokeRect(0.5, 0.5, canvas.width - 1, canvas.height - 1);
      context.beginPath();
      context.moveTo(16, canvas.height - 32);
      context.lineTo(canvas.width - 16, canvas.height - 32);
      context.stroke();
      context.strokeStyle = INK;
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
    }

    function fit() {
      if (drawn) { return; }
      // Measured with the canvas small: a fieldset grows to hold what is in it.
      canvas.width = 100;
      var width = Math.max(240, Math.min(box.clientWidth || 320, 640));
      if (canvas.width !== width) {
        canvas.width = width;
        canvas.height = Math.round(Math.min(220, Math.max(160, width * 0.45)));
        blank();
      }
    }

    function at(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * canvas.width / box.width,
        y: (event.clientY - box.top) * canvas.height / box.height
      };
    }

    function finish() {
      if (!drawing) { return; }
      drawing = false;
      if (drawn) { input.value = canvas.toDataURL("image/png"); }
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
      drawing = true;
      last = at(event);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var point = at(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(point.x, point.y);
      context.stroke();
      last = point;
      drawn = true;
    });
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    canvas.addEventListener("pointerleave", finish);

    if (clear) {
      clear.addEventListener("click", function () {
        drawn = false;
        input.value = "";
        blank();
        fit();
      });
    }

    fit();
    window.addEventListener("resize", fit);
    // A form sent back with an error keeps the signature already drawn.
    if (input.value.indexOf("data:image/png;base64,") === 0) {
      var image = new Image();
      image.onload = function () {
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        drawn = true;
      };
      image.src = input.value;
    }
  }

  document.querySelectorAll(".js-signature").forEach(signaturePad);

  // The phone's position goes with the handover or the failed attempt, when the browser allows it.
  document.querySelectorAll(".js-gps-status").forEach(function (status) {
    if (!navigator.geolocation) { return; }
    status.textContent = status.getAttribute("data-locating");
    navigator.geolocation.getCurrentPosition(function (position) {
      document.querySelectorAll(".js-lat").forEach(function (field) {
        field.value = position.coords.latitude.toFixed(6);
      });
      document.querySelectorAll(".js-lon").forEach(function (field) {
        field.value = position.coords.longitude.toFixed(6);
      });
      status.textContent = status.getAttribute("data-located").replace("{m}", Math.round(position.coords.accuracy));
    }, function () {
      status.textContent = status.getAttribute("data-failed");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });

  // Blocks marked data-show-when="name=value" show only while that radio button is chosen.
  document.querySelectorAll("[data-show-when]").forEach(function (block) {
    var rule = block.getAttribute("data-show-when").split("=");
    var form = block.closest("form");
    if (!form || rule.length !== 2) { return; }
    function update() {
      var chosen = form.querySelector("input[name=\"" + rule[0] + "\"]:checked");
      block.hidden = !(chosen && chosen.value === rule[1]);
    }
    form.addEventListener("change", update);
    update();
  });
})();
