/**
 * What each tool does with one pointer, from pointer-down to pointer-up. An action gets board coordinates and
 * changes the doc through `host.change()` (origin LOCAL, so the person's undo sees it); `paint` draws its preview.
 */
import { boxOf, hitForSelect, moved, normalBox, overlaps, touches } from "./geometry.js";
import { alive, itemsOf, makeItem, newId, readItem } from "./model.js";
import { paintItem } from "./paint.js";

const APPEND_EVERY = 70; // ms between a growing stroke's updates: others see it grow, each update stays small

/**
 * @typedef {{x: number, y: number}} Point
 * @typedef {{move(p: Point): void, up(p: Point): void, cancel(): void, paint?(ctx: CanvasRenderingContext2D): void}} Action
 * @typedef {{page(): import("yjs").Map<any> | null, change(fn: () => void): void, scale(): number,
 *            style(): {color: string, width: number}, author: number, hide(items: import("yjs").Map<any>[]): void,
 *            selection: Set<import("yjs").Map<any>>, selected(): void, request(): void,
 *            laser(p: Point | null): void, editText(kind: "text" | "sticky", p: Point): void}} Host
 */

/** @param {number} value */
const round = (value) => Math.round(value * 10) / 10;

/** Pen and highlighter: the item is added at pointer-down and its points grow every ~70 ms. @param {Host} host */
export function strokeAction(host, kind, p) {
  const page = host.page();
  if (!page) return null;
  const { color, width } = host.style();
  const points = [round(p.x), round(p.y)];
  const map = makeItem({ id: newId(), kind, author: host.author, color, width: kind === "highlighter" ? width * 4 : width, points });
  host.change(() => itemsOf(page).push([map]));
  host.hide([map]); // painted by the preview with every point, not only those sent yet
  let sent = points.length;
  let sentAt = performance.now();
  const flush = () => {
    if (sent === points.length || !alive(map)) return;
    host.change(() => map.set("points", points.slice()));
    sent = points.length;
    sentAt = performance.now();
  };
  return {
    move(q) {
      const last = points.length - 2;
      if (Math.hypot(q.x - points[last], q.y - points[last + 1]) < 1.5 / host.scale()) return;
      points.push(round(q.x), round(q.y));
      if (performance.now() - sentAt >= APPEND_EVERY) flush();
      host.request();
    },
    up() {
      flush();
      host.hide([]);
    },
    cancel() {
      host.hide([]);
      host.change(() => removeItems(page, [map]));
    },
    paint(ctx) {
      paintItem(ctx, { ...readItem(map), points });
    },
  };
}

/** Line, arrow, rect, ellipse: a preview while dragging, one item at pointer-up. @param {Host} host */
export function shapeAction(host, kind, start) {
  const page = host.page();
  if (!page) return null;
  let end = start;
  const item = () => {
    const { color, width } = host.style();
    const base = { id: newId(), kind, author: host.author, color, width };
    if (kind === "line" || kind === "arrow") return { ...base, points: [start.x, start.y, end.x, end.y].map(round) };
    const box = normalBox(start.x, start.y, end.x, end.y);
    return { ...base, x: round(box.x), y: round(box.y), w: round(box.w), h: round(box.h) };
  };
  return {
    move(q) {
      end = q;
      host.request();
    },
    up(q) {
      end = q;
      if (Math.hypot(end.x - start.x, end.y - start.y) * host.scale() < 4) return; // a click, not a shape
      const map = makeItem(item());
      host.change(() => itemsOf(page).push([map]));
    },
    cancel() {},
    paint(ctx) {
      paintItem(ctx, item());
    },
  };
}

/** Removes whole items the eraser touches, as it moves (one transaction per move). @param {Host} host */
export function eraserAction(host, p) {
  const page = host.page();
  if (!page) return null;
  const erase = (/** @type {Point} */ q) => {
    const radius = 8 / host.scale();
    const hit = itemsOf(page)
      .toArray()
      .filter((map) => touches(readItem(map), q.x, q.y, radius));
    if (hit.length) host.change(() => removeItems(page, hit));
  };
  erase(p);
  return { move: erase, up() {}, cancel() {} };
}

/** The laser: a trail everyone sees through awareness, nothing stored. @param {Host} host */
export function laserAction(host, p) {
  host.laser(p);
  return {
    move: (/** @type {Point} */ q) => host.laser(q),
    up: () => host.laser(null),
    cancel: () => host.laser(null),
  };
}

/** Text and sticky: the editor opens where the person clicked; the item is made when they finish. @param {Host} host */
export function textAction(host, kind, p) {
  return { move() {}, up: () => host.editText(kind, p), cancel() {} };
}

/**
 * Select: a click picks the topmost item under it (Shift adds), a drag from an item moves the selection (one
 * transaction at the end), a drag from empty paper selects what the box touches.
 * @param {Host} host @param {boolean} adding
 */
export function selectAction(host, p, adding) {
  const page = host.page();
  if (!page) return null;
  const maps = itemsOf(page).toArray();
  const tolerance = 6 / host.scale();
  const under = maps.reverse().find((map) => hitForSelect(readItem(map), p.x, p.y, tolerance));
  if (under) {
    if (!host.selection.has(under)) {
      if (!adding) host.selection.clear();
      host.selection.add(under);
      host.selected();
    }
    return moveAction(host, page, p);
  }
  if (!adding) host.selection.clear();
  host.selected();
  let end = p;
  return {
    move(q) {
      end = q;
      host.request();
    },
    up() {
      const box = { x0: Math.min(p.x, end.x), y0: Math.min(p.y, end.y), x1: Math.max(p.x, end.x), y1: Math.max(p.y, end.y) };
      for (const map of itemsOf(page).toArray()) if (overlaps(boxOf(readItem(map)), box)) host.selection.add(map);
      host.selected();
    },
    cancel() {},
    paint(ctx) {
      ctx.save();
      ctx.strokeStyle = "#1f6feb";
      ctx.fillStyle = "rgba(31, 111, 235, 0.08)";
      ctx.lineWidth = 1 / host.scale();
      ctx.fillRect(p.x, p.y, end.x - p.x, end.y - p.y);
      ctx.strokeRect(p.x, p.y, end.x - p.x, end.y - p.y);
      ctx.restore();
    },
  };
}

/** @param {Host} host @param {import("yjs").Map<any>} page @param {Point} start */
function moveAction(host, page, start) {
  const chosen = [...host.selection];
  let dx = 0;
  let dy = 0;
  let moving = false;
  return {
    move(q) {
      dx = q.x - start.x;
      dy = q.y - start.y;
      if (!moving && Math.hypot(dx, dy) * host.scale() > 3) {
        moving = true;
        host.hide(chosen);
      }
      host.request();
    },
    up() {
      if (!moving) return;
      host.hide([]);
      host.change(() => {
        for (const map of chosen) {
          if (!alive(map)) continue; // removed meanwhile by someone else
          for (const [key, value] of Object.entries(moved(readItem(map), round(dx), round(dy)))) map.set(key, value);
        }
      });
    },
    cancel() {
      host.hide([]);
    },
    paint(ctx) {
      if (!moving) return;
      for (const map of chosen) if (alive(map)) paintItem(ctx, { ...readItem(map), ...moved(readItem(map), dx, dy) });
    },
  };
}

/** Removes these items from the page (from the last index down, so the indexes stay right). */
export function removeItems(page, maps) {
  const items = itemsOf(page);
  const wanted = new Set(maps);
  const all = items.toArray();
  for (let i = all.length - 1; i >= 0; i -= 1) if (wanted.has(all[i])) items.delete(i, 1);
}

/** The selection's outline. @param {CanvasRenderingContext2D} ctx */
export function paintSelection(ctx, maps, scale) {
  ctx.save();
  ctx.strokeStyle = "#1f6feb";
  ctx.lineWidth = 1.5 / scale;
  ctx.setLineDash([6 / scale, 4 / scale]);
  for (const map of maps) {
    if (!alive(map)) continue;
    const box = boxOf(readItem(map));
    const pad = 4 / scale;
    ctx.strokeRect(box.x0 - pad, box.y0 - pad, box.x1 - box.x0 + 2 * pad, box.y1 - box.y0 + 2 * pad);
  }
  ctx.restore();
}
