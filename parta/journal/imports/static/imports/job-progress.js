// Polls the import job's status once a second and moves the progress bar; reloads the page for the report.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = document.getElementById("import-bar");
  var status = document.getElementById("import-status");
  var count = document.getElementById("import-count");
  var template = count.dataset.template;  // «— {done} of {total} rows» in the page's language

  function show(data) {
    status.textContent = data.status_label.charAt(0).toUpperCase() + data.status_label.slice(1);
    if (data.total > 0) {
      bar.max = data.total;
      bar.value = data.done;
      count.textContent = template.replace("{done}", data.done).replace("{total}", data.total);
      count.hidden = false;
    }
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(poll, 3000);
        show(data);
        if (data.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }

  setTimeout(poll, 1000);
})();
