/**
 * The items' geometry in board units: bounding boxes, the eraser's and the selection's hit tests, moving.
 */

/** @typedef {import("./model.js").Item} Item */
/** @typedef {{x0: number, y0: number, x1: number, y1: number}} Box */

/** @param {Item} item @returns {Box} */
export function boxOf(item) {
  const pad = (item.width ?? 2) / 2;
  if (item.points && item.points.length >= 2) {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    const p = item.points;
    for (let i = 0; i + 1 < p.length; i += 2) {
      if (p[i] < x0) x0 = p[i];
      if (p[i] > x1) x1 = p[i];
      if (p[i + 1] < y0) y0 = p[i + 1];
      if (p[i + 1] > y1) y1 = p[i + 1];
    }
    return { x0: x0 - pad, y0: y0 - pad, x1: x1 + pad, y1: y1 + pad };
  }
  const x = item.x ?? 0;
  const y = item.y ?? 0;
  return { x0: x - pad, y0: y - pad, x1: x + (item.w ?? 0) + pad, y1: y + (item.h ?? 0) + pad };
}

/** @param {Box} a @param {Box} b */
export function overlaps(a, b) {
  return a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1;
}

/** Distance from point p to segment ab. */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const length = dx * dx + dy * dy;
  const t = length ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/**
 * Whether a circle of `radius` at (x, y) touches the item's drawn geometry: the stroke's line for pens, lines and
 * outlines (an empty rectangle's middle is not hit), the whole box for text and stickies.
 * @param {Item} item @param {number} x @param {number} y @param {number} radius
 */
export function touches(item, x, y, radius) {
  const reach = radius + (item.width ?? 2) / 2;
  const box = boxOf(item);
  if (!overlaps(box, { x0: x - radius, y0: y - radius, x1: x + radius, y1: y + radius })) return false;
  if (item.points) return polylineDistance(item.points, x, y) <= reach;
  const left = item.x ?? 0;
  const top = item.y ?? 0;
  const w = item.w ?? 0;
  const h = item.h ?? 0;
  if (item.kind === "ellipse") return ellipseDistance(left + w / 2, top + h / 2, w / 2, h / 2, x, y) <= reach;
  if (item.kind === "rect") {
    const corners = [left, top, left + w, top, left + w, top + h, left, top + h, left, top];
    return polylineDistance(corners, x, y) <= reach;
  }
  return true; // text, sticky: the box
}

/** @param {number[]} p */
function polylineDistance(p, x, y) {
  if (p.length < 4) return Math.hypot(x - p[0], y - p[1]);
  let best = Infinity;
  for (let i = 0; i + 3 < p.length; i += 2) best = Math.min(best, segmentDistance(x, y, p[i], p[i + 1], p[i + 2], p[i + 3]));
  return best;
}

/** Approximate distance from (x, y) to an ellipse's outline (radial, good enough for an eraser). */
function ellipseDistance(cx, cy, rx, ry, x, y) {
  if (rx < 1 || ry < 1) return Math.hypot(x - cx, y - cy) - Math.max(rx, ry);
  const dx = (x - cx) / rx;
  const dy = (y - cy) / ry;
  const r = Math.hypot(dx, dy);
  if (r === 0) return Math.min(rx, ry);
  const ex = cx + (dx / r) * rx;
  const ey = cy + (dy / r) * ry;
  return Math.hypot(x - ex, y - ey);
}

/** Whether the item is under the point, for a click of the select tool. @param {Item} item */
export function hitForSelect(item, x, y, tolerance) {
  if (item.kind === "rect" || item.kind === "ellipse" || item.kind === "text" || item.kind === "sticky") {
    const box = boxOf(item);
    return x >= box.x0 - tolerance && x <= box.x1 + tolerance && y >= box.y0 - tolerance && y <= box.y1 + tolerance;
  }
  return touches(item, x, y, tolerance);
}

/** The fields that move an item by (dx, dy). @param {Item} item */
export function moved(item, dx, dy) {
  if (item.points) return { points: item.points.map((value, i) => value + (i % 2 ? dy : dx)) };
  return { x: (item.x ?? 0) + dx, y: (item.y ?? 0) + dy };
}

/** A box from two corners in any order. */
export function normalBox(ax, ay, bx, by) {
  return { x: Math.min(ax, bx), y: Math.min(ay, by), w: Math.abs(bx - ax), h: Math.abs(by - ay) };
}
