/**
 * The text and sticky editor: a textarea over the canvas where the person clicked. Enter (without Shift) or leaving
 * it commits, Escape cancels. It lives outside the Y.Doc, so a resync (a new doc after a refusal, a reconnect)
 * never loses what is being typed: the text goes into whichever doc is current when it is committed.
 */
import { t } from "./i18n.js";
import { STICKY_FILL, STICKY_SIDE, STICKY_SIZE, TEXT_SIZE } from "./paint.js";

/**
 * @typedef {{kind: "text" | "sticky", x: number, y: number, text: string}} Draft
 * @typedef {{toScreen(x: number, y: number): {left: number, top: number}, scale(): number, color(): string,
 *            commit(draft: Draft): boolean}} EditorHost  commit answers false to keep the editor open
 */

export class TextEditor {
  /** @param {HTMLElement} layer  positioned over the canvas @param {EditorHost} host */
  constructor(layer, host) {
    this.layer = layer;
    this.host = host;
    /** @type {{element: HTMLTextAreaElement, draft: Draft} | null} */
    this.open = null;
  }

  /** @param {"text" | "sticky"} kind @param {number} x @param {number} y @param {string} [text] */
  start(kind, x, y, text = "") {
    if (this.open) this.finish(true);
    const element = document.createElement("textarea");
    element.className = `board-editor board-editor-${kind}`;
    element.placeholder = t("text_placeholder");
    element.setAttribute("aria-label", t(kind));
    element.value = text;
    element.rows = kind === "sticky" ? 6 : 1;
    const draft = { kind, x, y, text };
    this.open = { element, draft };
    this.#place();
    element.addEventListener("keydown", (event) => {
      event.stopPropagation(); // the board's own keys (Delete, Ctrl+Z, space) are for the canvas, not for typing
      if (event.key === "Escape") this.finish(false);
      else if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.finish(true);
      }
    });
    element.addEventListener("input", () => {
      draft.text = element.value;
      if (kind === "text") element.style.width = `${Math.max(8, element.value.length + 2)}ch`;
    });
    element.addEventListener("blur", () => this.finish(true));
    this.layer.append(element);
    requestAnimationFrame(() => element.focus());
  }

  /** Follows the viewport (zoom, pan). */
  reposition() {
    if (this.open) this.#place();
  }

  #place() {
    if (!this.open) return;
    const { element, draft } = this.open;
    const { left, top } = this.host.toScreen(draft.x, draft.y);
    const scale = this.host.scale();
    element.style.left = `${left}px`;
    element.style.top = `${top}px`;
    element.style.color = this.host.color();
    if (draft.kind === "sticky") {
      element.style.fontSize = `${STICKY_SIZE * scale}px`;
      element.style.width = `${STICKY_SIDE * scale}px`;
      element.style.height = `${STICKY_SIDE * scale}px`;
      element.style.background = STICKY_FILL;
    } else {
      element.style.fontSize = `${TEXT_SIZE * scale}px`;
    }
  }

  /** @param {boolean} commit */
  finish(commit) {
    const open = this.open;
    if (!open) return;
    open.draft.text = open.element.value;
    if (commit && open.draft.text.trim() && !this.host.commit(open.draft)) return; // kept: nothing typed is lost
    this.open = null;
    open.element.remove();
  }
}
