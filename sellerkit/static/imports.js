// The import progress page: reads the page again every second and puts in its fresh progress, until it is finished.
(function () {
  "use strict";

  var section = document.getElementById("import-progress");
  if (!section || section.getAttribute("data-finished") === "yes") { return; }

  function later(delay) { window.setTimeout(update, delay); }

  function update() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("import-progress");
        if (!fresh) { later(5000); return; }
        // The section stays in place (it is a live region), only its contents change.
        section.innerHTML = fresh.innerHTML;
        section.setAttribute("data-finished", fresh.getAttribute("data-finished"));
        if (fresh.getAttribute("data-finished") !== "yes") { later(1000); }
      })
      .catch(function () { later(5000); });
  }

  later(1000);
}());
