// Scrolls a wide table (the class journal) so that today's column is in view, on a phone as on a desktop.
for (const wrap of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-scroll-to]"))) {
  const target = /** @type {HTMLElement | null} */ (wrap.querySelector(wrap.dataset.scrollTo ?? ""));
  if (target) {
    const nameColumn = /** @type {HTMLElement | null} */ (wrap.querySelector("th.name"));
    const offset = nameColumn ? nameColumn.offsetWidth : 0;
    wrap.scrollLeft = Math.max(0, target.offsetLeft - offset - wrap.clientWidth / 3);
  }
}
