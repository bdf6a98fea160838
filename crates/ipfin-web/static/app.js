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

// Tables wider than the screen scroll inside their box (.table-wrap) instead of the page: such
// a box is made reachable by keyboard (arrow keys scroll it) and named after its table. Boxes
// that fit are left out of the tab order. Without JavaScript the box still scrolls by touch.
(function () {
  function name(w) {
    var c = w.querySelector("caption");
    if (c && c.textContent.trim()) return c.textContent.trim();
    for (var e = w.previousElementSibling; e; e = e.previousElementSibling) {
      if (/^H[1-4]$/.test(e.tagName)) return e.textContent.trim();
    }
    var p = w.closest("section, article");
    var h = p && p.querySelector("h1, h2, h3");
    return (h && h.textContent.trim()) || document.title;
  }
  function mark() {
    document.querySelectorAll(".table-wrap").forEach(function (w) {
      var scrolls = w.scrollWidth > w.clientWidth + 1;
      if (scrolls && !w.hasAttribute("tabindex")) {
        w.setAttribute("tabindex", "0");
        w.setAttribute("role", "region");
        var named = !w.hasAttribute("aria-label");
        if (named) w.setAttribute("aria-label", name(w));
        w.setAttribute("data-scrolls", named ? "named" : "");
      } else if (!scrolls && w.hasAttribute("data-scrolls")) {
        w.removeAttribute("tabindex");
        w.removeAttribute("role");
        if (w.getAttribute("data-scrolls") === "named") w.removeAttribute("aria-label");
        w.removeAttribute("data-scrolls");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(mark, 150);
  });
})();
