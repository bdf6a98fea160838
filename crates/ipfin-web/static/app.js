// ipfin progressive enhancement: pages work without this file.
// Credit-code checker: check as the user types (the form still submits without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var input = document.getElementById("credit-code-input");
  var out = document.getElementById("credit-code-live");
  if (!input || !out) return;
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var v = input.value.trim();
      if (!v) { out.textContent = ""; return; }
      fetch("/api/v1/tools/credit-code/" + encodeURIComponent(v))
        .then(function (r) { return r.json(); })
        .then(function (j) {
          var parts = [];
          parts.push(j.valid ? out.dataset.valid + " " + j.normalized : out.dataset.invalid);
          (j.errors || []).forEach(function (e) { parts.push(e.message); });
          (j.warnings || []).forEach(function (w) { parts.push(w.message); });
          out.textContent = parts.join(" · ");
          out.className = j.valid ? "ok" : "bad";
        })
        .catch(function () { out.textContent = ""; });
    }, 250);
  });
});

// Print buttons (`data-print`): the page's CSP allows no inline handlers.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
});
