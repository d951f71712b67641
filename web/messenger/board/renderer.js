/**
 * The board's canvas: one 2D canvas (so captureStream() shows exactly what people see), sized in device pixels,
 * redrawn at most once per animation frame.
 *
 * Why it stays fast with thousands of strokes: the page and its settled items are painted once into an offscreen
 * layer; a frame copies that layer and paints only the "tail" — items added or changed in the last moments (a
 * stroke being drawn, here or by someone else) — plus the overlay (previews, cursors, laser). A settled tail item
 * is painted onto the layer and joins it. The layer is rebuilt only when an item in it changes or goes, or when
 * zoom or pan has rested for a moment (while they move, the old layer is shown scaled and shifted).
 */
import { itemsOf, pageInfo, readItem } from "./model.js";
import { paintItem, paintPage } from "./paint.js";

const SETTLE_MS = 400; // an item unchanged this long joins the layer
const VIEW_REST_MS = 150; // the layer is repainted at the new zoom once the view has not moved for this long
const MIN_SCALE = 0.05;
const MAX_SCALE = 8;
const OUTSIDE = "#e4eaec";

/** @typedef {{scale: number, x: number, y: number}} View */

export class Renderer {
  /**
   * @param {HTMLElement} host  the element the canvas fills
   * @param {{overlay: (ctx: CanvasRenderingContext2D, view: View) => boolean, onFrame?: () => void}} hooks
   *   overlay paints the transient things and says whether it wants another frame (a fading laser)
   */
  constructor(host, hooks) {
    this.host = host;
    this.hooks = hooks;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "board-canvas";
    this.ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d"));
    this.layer = document.createElement("canvas");
    this.layerCtx = /** @type {CanvasRenderingContext2D} */ (this.layer.getContext("2d"));
    host.append(this.canvas);
    /** @type {View} */
    this.view = { scale: 1, x: 0, y: 0 };
    this.fitted = true; // follows the page's size until the person zooms or pans
    /** @type {import("yjs").Map<any> | null} */
    this.page = null;
    /** @type {Map<string, HTMLImageElement>} */
    this.images = new Map();
    /** @type {WeakMap<object, number>} */
    this.changedAt = new WeakMap();
    /** @type {Set<import("yjs").Map<any>>} */
    this.hidden = new Set();
    this.layerItems = /** @type {import("yjs").Map<any>[]} */ ([]);
    this.layerSet = /** @type {Set<object>} */ (new Set()); // the same, for a quick "is it in the layer?"
    this.layerView = /** @type {View | null} */ (null);
    this.stale = true;
    this.viewMovedAt = 0;
    this.frame = 0;
    this.timer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
    this.size = { width: 0, height: 0, dpr: 1 };
    this.stats = { rebuildMs: 0, rebuilds: 0, frameMs: 0 };
    this.resizeObserver = new ResizeObserver(() => this.request());
    this.resizeObserver.observe(host);
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    this.resizeObserver.disconnect();
    this.canvas.remove();
  }

  /** @param {import("yjs").Map<any> | null} page */
  setPage(page) {
    if (page === this.page) return;
    this.page = page;
    this.hidden.clear();
    this.fitted = true;
    this.#fitNow(); // each page opens whole, at its own size
    this.invalidate();
  }

  invalidate() {
    this.stale = true;
    this.request();
  }

  /** An item (or the page) changed: it is painted fresh until it settles. @param {object} target */
  touched(target) {
    this.changedAt.set(target, performance.now());
    if (this.layerSet.has(target)) this.stale = true;
    this.request();
  }

  /** Items painted by the overlay instead (being moved). @param {Iterable<import("yjs").Map<any>>} items */
  hide(items) {
    const next = new Set(items);
    // Only a change among the layer's items needs the layer repainted (a new stroke is in the tail anyway).
    if ([...this.hidden, ...next].some((map) => this.hidden.has(map) !== next.has(map) && this.layerSet.has(map))) {
      this.stale = true;
    }
    this.hidden = next;
    this.request();
  }

  request() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.#draw());
  }

  /** Client (CSS pixel) coordinates → board units. */
  toBoard(clientX, clientY) {
    const rect = this.canvas.getBoundingClientRect();
    return { x: (clientX - rect.left - this.view.x) / this.view.scale, y: (clientY - rect.top - this.view.y) / this.view.scale };
  }

  /** Zoom by `factor` keeping the point at client (clientX, clientY) still (the canvas's centre by default). */
  zoomAt(factor, clientX, clientY) {
    const rect = this.canvas.getBoundingClientRect();
    const sx = (clientX ?? rect.left + rect.width / 2) - rect.left;
    const sy = (clientY ?? rect.top + rect.height / 2) - rect.top;
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.view.scale * factor));
    const bx = (sx - this.view.x) / this.view.scale;
    const by = (sy - this.view.y) / this.view.scale;
    this.#setView({ scale, x: sx - bx * scale, y: sy - by * scale });
  }

  panBy(dx, dy) {
    this.#setView({ ...this.view, x: this.view.x + dx, y: this.view.y + dy });
  }

  /** The whole page in view («По размеру»). */
  fit() {
    this.fitted = true;
    this.#fitNow();
    this.request();
  }

  #fitNow() {
    const { width, height } = this.size;
    if (!width || !height || !this.page) return;
    const page = pageInfo(this.page);
    const scale = Math.max(MIN_SCALE, Math.min(width / page.width, height / page.height) * 0.95);
    this.view = { scale, x: (width - page.width * scale) / 2, y: (height - page.height * scale) / 2 };
  }

  /** @param {View} view */
  #setView(view) {
    this.view = view;
    this.fitted = false;
    this.viewMovedAt = performance.now();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.request(), VIEW_REST_MS + 10);
    this.request();
  }

  #resize() {
    const dpr = window.devicePixelRatio || 1;
    const width = this.host.clientWidth;
    const height = this.host.clientHeight;
    if (width === this.size.width && height === this.size.height && dpr === this.size.dpr) return;
    this.size = { width, height, dpr };
    for (const canvas of [this.canvas, this.layer]) {
      canvas.width = Math.max(1, Math.round(width * dpr));
      canvas.height = Math.max(1, Math.round(height * dpr));
    }
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    if (this.fitted) this.#fitNow();
    this.stale = true;
  }

  #draw() {
    this.frame = 0;
    const started = performance.now();
    this.#resize();
    const items = this.page ? itemsOf(this.page).toArray() : [];
    const resting = started - this.viewMovedAt >= VIEW_REST_MS;
    if (this.stale || !this.#layerIsPrefix(items) || (resting && !sameView(this.layerView, this.view))) {
      this.#rebuild(items, started);
    }
    this.#promote(items, started);
    const ctx = this.ctx;
    const { dpr } = this.size;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = OUTSIDE;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.#copyLayer();
    ctx.setTransform(dpr * this.view.scale, 0, 0, dpr * this.view.scale, dpr * this.view.x, dpr * this.view.y);
    let pending = false;
    for (let i = this.layerItems.length; i < items.length; i += 1) {
      if (!this.hidden.has(items[i])) paintItem(ctx, readItem(items[i]));
      pending = true; // a tail item settles into the layer on a later frame
    }
    const animating = this.hooks.overlay(ctx, this.view);
    this.canvas.dataset.renderedItems = String(items.length);
    this.stats.frameMs = performance.now() - started;
    this.hooks.onFrame?.();
    if (animating) this.request();
    else if (pending) setTimeout(() => this.request(), SETTLE_MS);
  }

  /** Whether the layer still shows the first items of the page, in order (an insert or a delete breaks it). */
  #layerIsPrefix(items) {
    const layer = this.layerItems;
    if (layer.length > items.length) return false;
    for (let i = 0; i < layer.length; i += 1) if (layer[i] !== items[i]) return false;
    return true;
  }

  /** Paints the page and its settled items into the layer at the current view. */
  #rebuild(items, now) {
    const started = performance.now();
    const ctx = this.layerCtx;
    const { dpr } = this.size;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.layer.width, this.layer.height);
    this.layerItems = [];
    this.layerSet.clear();
    this.layerView = { ...this.view };
    this.stale = false;
    if (!this.page) return;
    ctx.setTransform(dpr * this.view.scale, 0, 0, dpr * this.view.scale, dpr * this.view.x, dpr * this.view.y);
    const info = pageInfo(this.page);
    paintPage(ctx, info, info.image ? this.#image(info.image.url) : null, this.view.scale);
    // Everything but the trailing items still changing (strokes being drawn) goes in at once, even an item changed
    // a moment ago in the middle (moved, restyled): it changes once, while a growing stroke would rebuild each time.
    let cut = items.length;
    while (cut > 0 && now - (this.changedAt.get(items[cut - 1]) ?? 0) < SETTLE_MS) cut -= 1;
    for (let i = 0; i < cut; i += 1) {
      if (!this.hidden.has(items[i])) paintItem(ctx, readItem(items[i]));
      this.layerItems.push(items[i]);
      this.layerSet.add(items[i]);
    }
    this.#promote(items, now);
    this.stats.rebuildMs = performance.now() - started;
    this.stats.rebuilds += 1;
  }

  /** Moves the settled items at the front of the tail into the layer. */
  #promote(items, now) {
    if (!this.layerView || !sameView(this.layerView, this.view) || !this.page) return;
    const ctx = this.layerCtx;
    while (this.layerItems.length < items.length) {
      const map = items[this.layerItems.length];
      if (now - (this.changedAt.get(map) ?? 0) < SETTLE_MS || this.hidden.has(map)) break;
      paintItem(ctx, readItem(map));
      this.layerItems.push(map);
      this.layerSet.add(map);
    }
  }

  #copyLayer() {
    const from = this.layerView;
    if (!from) return;
    const ratio = this.view.scale / from.scale;
    const { dpr } = this.size;
    // The layer was painted at `from`; shown at the current view it is scaled by `ratio` and shifted.
    this.ctx.setTransform(ratio, 0, 0, ratio, dpr * (this.view.x - from.x * ratio), dpr * (this.view.y - from.y * ratio));
    this.ctx.drawImage(this.layer, 0, 0);
  }

  /** A page's background image, loaded once and kept. @param {string} url */
  #image(url) {
    let image = this.images.get(url);
    if (!image) {
      image = new Image();
      image.decoding = "async";
      image.onload = () => this.invalidate();
      image.src = url;
      this.images.set(url, image);
    }
    return image;
  }
}

/** @param {View | null} a @param {View} b */
function sameView(a, b) {
  return !!a && a.scale === b.scale && a.x === b.x && a.y === b.y;
}
