/**
 * The board's own tool bar (tools, colours, widths, undo/redo, delete, pages, zoom, fit) and its notice line.
 * It wraps on a narrow screen; every button is at least 40 px square (board.css).
 */
import { t } from "./i18n.js";

/** @type {[string, string][]} */
export const TOOLS = [
  ["select", "⬚"],
  ["pen", "✎"],
  ["highlighter", "▍"],
  ["eraser", "⌫"],
  ["line", "╱"],
  ["arrow", "→"],
  ["rect", "▭"],
  ["ellipse", "◯"],
  ["text", "T"],
  ["sticky", "▤"],
  ["laser", "✦"],
  ["pan", "✥"],
];
/** @type {[string, string][]} */
export const COLORS = [
  ["#1b1b1b", "black"],
  ["#1f6feb", "blue"],
  ["#d1242f", "red"],
  ["#1a7f37", "green"],
  ["#e36209", "orange"],
  ["#8250df", "purple"],
];
/** @type {[number, string][]} */
export const WIDTHS = [
  [2, "width_thin"],
  [5, "width_medium"],
  [10, "width_thick"],
];

/**
 * @typedef {{tool: string, color: string, width: number, canDraw: boolean, drawingTools: Set<string>,
 *            page: number, pages: number, canUndo: boolean, canRedo: boolean, selected: number}} BarState
 */

/** @param {string} className @param {string} label @param {string} text @param {Record<string, string>} data */
function button(className, label, text, data = {}) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className;
  element.title = label;
  element.setAttribute("aria-label", label);
  element.textContent = text;
  Object.assign(element.dataset, data);
  return element;
}

/** @param {string} label @param {HTMLElement[]} children */
function group(label, children) {
  const element = document.createElement("div");
  element.className = "board-group";
  element.setAttribute("role", "group");
  element.setAttribute("aria-label", label);
  element.append(...children);
  return element;
}

/**
 * @param {HTMLElement} container
 * @param {(command: string, value?: string) => void} run  what a click asks for
 */
export function buildToolbar(container, run) {
  const bar = document.createElement("div");
  bar.className = "board-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", t("toolbar"));
  const tools = TOOLS.map(([tool, glyph]) => button("board-button board-tool", t(tool), glyph, { tool }));
  const colors = COLORS.map(([color, name]) => {
    const swatch = button("board-button board-color", t("color", { name: t(name) }), "", { color });
    swatch.style.setProperty("--swatch", color);
    return swatch;
  });
  const widths = WIDTHS.map(([width, key]) => {
    const element = button("board-button board-width", t(String(key)), "", { width: String(width) });
    element.style.setProperty("--dot", `${4 + Number(width)}px`);
    return element;
  });
  const undo = button("board-button", t("undo"), "↶", { action: "undo" });
  const redo = button("board-button", t("redo"), "↷", { action: "redo" });
  const remove = button("board-button board-text-button", t("delete"), t("delete"), { action: "delete" });
  const prev = button("board-button", t("prev_page"), "‹", { action: "prev-page" });
  const next = button("board-button", t("next_page"), "›", { action: "next-page" });
  const pageLabel = document.createElement("span");
  pageLabel.className = "board-page-label";
  pageLabel.setAttribute("aria-live", "polite");
  const addPage = button("board-button", t("add_page"), "⊞", { action: "add-page" });
  const deletePage = button("board-button", t("delete_page"), "✕", { action: "delete-page" });
  const zoomOut = button("board-button", t("zoom_out"), "−", { action: "zoom-out" });
  const zoomIn = button("board-button", t("zoom_in"), "+", { action: "zoom-in" });
  const fit = button("board-button board-text-button", t("fit"), t("fit"), { action: "fit" });
  bar.append(
    group(t("toolbar"), tools),
    group(t("color", { name: "" }).trim(), colors),
    group(t("width_medium"), widths),
    group(t("undo"), [undo, redo, remove]),
    group(t("page_title", { n: "" }).trim(), [prev, pageLabel, next, addPage, deletePage]),
    group(t("fit"), [zoomOut, zoomIn, fit]),
  );
  bar.addEventListener("click", (event) => {
    const target = /** @type {HTMLElement} */ (event.target).closest("button");
    if (!target || target.disabled) return;
    const data = target.dataset;
    if (data.tool) run("tool", data.tool);
    else if (data.color) run("color", data.color);
    else if (data.width) run("width", data.width);
    else if (data.action) run(data.action);
  });
  const note = document.createElement("p");
  note.className = "board-note";
  note.setAttribute("role", "status");
  note.hidden = true;
  container.append(bar, note);

  /** @param {BarState} state */
  function update(state) {
    for (const element of tools) {
      const tool = /** @type {string} */ (element.dataset.tool);
      element.setAttribute("aria-pressed", String(tool === state.tool));
      element.disabled = state.drawingTools.has(tool) && !state.canDraw;
    }
    for (const element of colors) element.setAttribute("aria-pressed", String(element.dataset.color === state.color));
    for (const element of widths) element.setAttribute("aria-pressed", String(Number(element.dataset.width) === state.width));
    for (const element of [...colors, ...widths]) element.disabled = !state.canDraw;
    undo.disabled = !state.canDraw || !state.canUndo;
    redo.disabled = !state.canDraw || !state.canRedo;
    remove.disabled = !state.canDraw || !state.selected;
    prev.disabled = state.page <= 1;
    next.disabled = state.page >= state.pages;
    addPage.disabled = !state.canDraw;
    deletePage.disabled = !state.canDraw || state.pages <= 1;
    pageLabel.textContent = state.pages ? t("page_of", { n: state.page, m: state.pages }) : "";
  }

  /** @param {string} text @param {"info" | "error"} [kind] */
  function say(text, kind = "info") {
    note.textContent = text;
    note.hidden = !text;
    note.dataset.kind = kind;
  }

  return { element: bar, update, say };
}
