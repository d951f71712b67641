/**
 * Pointers and keys on the canvas: one pointer runs the current tool's action (with pointer capture, for mouse,
 * pen and finger alike); a second finger turns it into pinch-zoom and pan (cancelling a stroke just begun); the
 * wheel zooms; space + drag and the pan tool pan. Every move also reports the cursor for the others' screens.
 */
import { eraserAction, laserAction, selectAction, shapeAction, strokeAction, textAction } from "./actions.js";

export const DRAWING_TOOLS = new Set(["pen", "highlighter", "eraser", "line", "arrow", "rect", "ellipse", "text", "sticky", "select"]);

/**
 * @typedef {import("./actions.js").Action} Action
 * @typedef {import("./actions.js").Host & {tool(): string, canDraw(): boolean,
 *   renderer: import("./renderer.js").Renderer, cursor(p: {x: number, y: number} | null): void,
 *   keys(event: KeyboardEvent): boolean, viewChanged(): void, step(): void}} InputHost
 */

export class Input {
  /**
   * @param {HTMLElement} surface  the element that takes the pointers
   * @param {HTMLElement} keyTarget  the element whose keys are the board's (the tool bar's buttons too)
   * @param {InputHost} host
   */
  constructor(surface, keyTarget, host) {
    this.surface = surface;
    this.host = host;
    /** @type {Map<number, {x: number, y: number}>} */
    this.pointers = new Map();
    /** @type {Action | null} */
    this.action = null;
    this.panning = false;
    this.space = false;
    /** @type {{distance: number, x: number, y: number} | null} */
    this.pinch = null;
    const on = (/** @type {string} */ type, /** @type {(event: any) => void} */ handler, options = {}) => {
      surface.addEventListener(type, handler, options);
    };
    on("pointerdown", (event) => this.#down(event));
    on("pointermove", (event) => this.#move(event));
    on("pointerup", (event) => this.#up(event, false));
    on("pointercancel", (event) => this.#up(event, true));
    on("pointerleave", (event) => event.pointerType === "mouse" && !this.pointers.size && host.cursor(null));
    on("wheel", (event) => this.#wheel(event), { passive: false });
    keyTarget.addEventListener("keydown", (event) => this.#key(event, true));
    keyTarget.addEventListener("keyup", (event) => this.#key(event, false));
    // A button that becomes disabled (undo with nothing left) drops the focus to the body: keys there are the
    // board's too, so Ctrl+Shift+Z still redoes.
    this.onBodyKey = (/** @type {KeyboardEvent} */ event) => {
      if (event.target === document.body && keyTarget.getClientRects().length) this.#key(event, true); // shown
    };
    document.addEventListener("keydown", this.onBodyKey);
    on("contextmenu", (event) => event.preventDefault());
  }

  /** The current action's preview. @param {CanvasRenderingContext2D} ctx */
  paint(ctx) {
    this.action?.paint?.(ctx);
  }

  destroy() {
    document.removeEventListener("keydown", this.onBodyKey);
  }

  /** Forgets the action in progress without touching the doc (the doc it changed is being thrown away). */
  drop() {
    this.action = null;
    this.host.hide([]);
    this.host.request();
  }

  /** Drops the action in progress (the tool changed, the right to draw went). */
  cancel() {
    this.action?.cancel();
    this.action = null;
    this.host.request();
  }

  /** @param {PointerEvent} event */
  #down(event) {
    if (event.button > 0 && event.pointerType === "mouse" && event.button !== 1) return;
    this.surface.focus({ preventScroll: true });
    this.surface.setPointerCapture?.(event.pointerId);
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (this.pointers.size === 2) {
      this.cancel(); // a second finger: the gesture is a pinch, not a stroke
      this.pinch = this.#pinchState();
      return;
    }
    if (this.pointers.size > 2) return;
    const tool = this.host.tool();
    if (tool === "pan" || this.space || event.button === 1) {
      this.panning = true;
      return;
    }
    const p = this.host.renderer.toBoard(event.clientX, event.clientY);
    this.action = this.#start(tool, p, event.shiftKey);
    this.host.request();
  }

  /** @param {string} tool @param {{x: number, y: number}} p @param {boolean} shift @returns {Action | null} */
  #start(tool, p, shift) {
    const host = this.host;
    host.step(); // each stroke or shape is its own undo step
    if (tool === "laser") return laserAction(host, p);
    if (!DRAWING_TOOLS.has(tool) || !host.canDraw()) return null;
    if (tool === "pen" || tool === "highlighter") return strokeAction(host, tool, p);
    if (tool === "eraser") return eraserAction(host, p);
    if (tool === "text" || tool === "sticky") return textAction(host, tool, p);
    if (tool === "select") return selectAction(host, p, shift);
    return shapeAction(host, tool, p);
  }

  /** @param {PointerEvent} event */
  #move(event) {
    const previous = this.pointers.get(event.pointerId);
    const p = this.host.renderer.toBoard(event.clientX, event.clientY);
    this.host.cursor(p);
    if (!previous) return;
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (this.pinch) {
      this.#pinchMove();
    } else if (this.panning) {
      this.host.renderer.panBy(event.clientX - previous.x, event.clientY - previous.y);
      this.host.viewChanged();
    } else if (this.action) {
      // A pen gives more points than events: the coalesced ones make a smoother stroke.
      const events = event.getCoalescedEvents?.() ?? [];
      for (const each of events.length ? events : [event]) this.action.move(this.host.renderer.toBoard(each.clientX, each.clientY));
    }
  }

  /** @param {PointerEvent} event @param {boolean} cancelled */
  #up(event, cancelled) {
    if (!this.pointers.delete(event.pointerId)) return;
    if (this.pinch) {
      if (this.pointers.size < 2) this.pinch = null;
      return;
    }
    this.panning = false;
    const action = this.action;
    this.action = null;
    if (action && cancelled) action.cancel();
    else action?.up(this.host.renderer.toBoard(event.clientX, event.clientY));
    this.host.request();
  }

  #pinchState() {
    const [a, b] = [...this.pointers.values()];
    return { distance: Math.hypot(a.x - b.x, a.y - b.y) || 1, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }

  #pinchMove() {
    const before = /** @type {{distance: number, x: number, y: number}} */ (this.pinch);
    const now = this.#pinchState();
    this.host.renderer.panBy(now.x - before.x, now.y - before.y);
    this.host.renderer.zoomAt(now.distance / before.distance, now.x, now.y);
    this.pinch = now;
    this.host.viewChanged();
  }

  /** @param {WheelEvent} event */
  #wheel(event) {
    event.preventDefault();
    const lines = event.deltaMode === 1 ? 16 : 1;
    this.host.renderer.zoomAt(Math.exp(-event.deltaY * lines * 0.0015), event.clientX, event.clientY);
    this.host.viewChanged();
  }

  /** @param {KeyboardEvent} event @param {boolean} down */
  #key(event, down) {
    if (event.code === "Space" && event.target === this.surface) {
      this.space = down;
      event.preventDefault();
      return;
    }
    if (down && this.host.keys(event)) event.preventDefault();
  }
}
