// Polls the import job's status once a second and moves the progress bar; reloads the page for the report.

/** @typedef {{status_label: string, total: number, done: number, finished: boolean}} JobStatus */

const box = document.getElementById("import-progress");
const bar = /** @type {HTMLProgressElement | null} */ (document.getElementById("import-bar"));
const statusLine = document.getElementById("import-status");
const count = document.getElementById("import-count");

if (box && bar && statusLine && count) {
  const template = count.dataset.template ?? ""; // «— {done} of {total} rows» in the page's language

  /** @param {JobStatus} data */
  const show = (data) => {
    statusLine.textContent = data.status_label.charAt(0).toUpperCase() + data.status_label.slice(1);
    if (data.total > 0) {
      bar.max = data.total;
      bar.value = data.done;
      count.textContent = template.replace("{done}", String(data.done)).replace("{total}", String(data.total));
      count.hidden = false;
    }
  };

  const poll = () => {
    fetch(box.dataset.statusUrl ?? "", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? /** @type {Promise<JobStatus>} */ (response.json()) : null))
      .then((data) => {
        if (!data) {
          setTimeout(poll, 3000);
          return;
        }
        show(data);
        if (data.finished) window.location.reload();
        else setTimeout(poll, 1000);
      })
      .catch(() => setTimeout(poll, 3000));
  };

  setTimeout(poll, 1000);
}
