/**
 * Painting one item, a page's background, the others' cursors and laser trails on a 2D context whose transform is
 * already the viewport's (board units in, device pixels out).
 */

/** @typedef {import("./model.js").Item} Item */
/** @typedef {import("./model.js").PageInfo} PageInfo */

export const STICKY_FILL = "#fff3a3";
export const TEXT_SIZE = 28;
export const STICKY_SIZE = 22;
export const STICKY_SIDE = 220;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/** @param {CanvasRenderingContext2D} ctx @param {Item} item */
export function paintItem(ctx, item) {
  ctx.save();
  ctx.strokeStyle = item.color || "#000";
  ctx.fillStyle = item.color || "#000";
  ctx.lineWidth = Math.max(0.5, item.width || 2);
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  switch (item.kind) {
    case "highlighter":
      ctx.globalAlpha = 0.35;
      ctx.lineCap = "butt";
      smoothPath(ctx, item.points ?? []);
      break;
    case "pen":
      smoothPath(ctx, item.points ?? []);
      break;
    case "line":
    case "arrow":
      paintLine(ctx, item);
      break;
    case "rect":
      ctx.strokeRect(item.x ?? 0, item.y ?? 0, item.w ?? 0, item.h ?? 0);
      break;
    case "ellipse":
      paintEllipse(ctx, item);
      break;
    case "text":
      paintText(ctx, item);
      break;
    case "sticky":
      paintSticky(ctx, item);
      break;
  }
  ctx.restore();
}

/** A smooth stroke: quadratic curves through the midpoints of the recorded points. @param {number[]} p */
function smoothPath(ctx, p) {
  if (p.length < 2) return;
  ctx.beginPath();
  ctx.moveTo(p[0], p[1]);
  if (p.length < 4) {
    ctx.lineTo(p[0] + 0.01, p[1]); // a dot
  } else {
    for (let i = 2; i + 3 < p.length; i += 2) {
      ctx.quadraticCurveTo(p[i], p[i + 1], (p[i] + p[i + 2]) / 2, (p[i + 1] + p[i + 3]) / 2);
    }
    ctx.lineTo(p[p.length - 2], p[p.length - 1]);
  }
  ctx.stroke();
}

/** @param {CanvasRenderingContext2D} ctx @param {Item} item */
function paintLine(ctx, item) {
  const [x0, y0, x1, y1] = item.points ?? [];
  if (x1 === undefined) return;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
  if (item.kind !== "arrow") return;
  const head = Math.max(12, ctx.lineWidth * 4);
  const angle = Math.atan2(y1 - y0, x1 - x0);
  ctx.beginPath();
  ctx.moveTo(x1 - head * Math.cos(angle - Math.PI / 7), y1 - head * Math.sin(angle - Math.PI / 7));
  ctx.lineTo(x1, y1);
  ctx.lineTo(x1 - head * Math.cos(angle + Math.PI / 7), y1 - head * Math.sin(angle + Math.PI / 7));
  ctx.stroke();
}

/** @param {CanvasRenderingContext2D} ctx @param {Item} item */
function paintEllipse(ctx, item) {
  const w = item.w ?? 0;
  const h = item.h ?? 0;
  ctx.beginPath();
  ctx.ellipse((item.x ?? 0) + w / 2, (item.y ?? 0) + h / 2, w / 2, h / 2, 0, 0, Math.PI * 2);
  ctx.stroke();
}

/** @param {CanvasRenderingContext2D} ctx @param {Item} item */
function paintText(ctx, item) {
  const size = item.size || TEXT_SIZE;
  ctx.font = `${size}px ${FONT}`;
  ctx.textBaseline = "top";
  (item.text ?? "").split("\n").forEach((line, i) => ctx.fillText(line, item.x ?? 0, (item.y ?? 0) + i * size * 1.25));
}

/** @param {CanvasRenderingContext2D} ctx @param {Item} item */
function paintSticky(ctx, item) {
  const x = item.x ?? 0;
  const y = item.y ?? 0;
  const w = item.w || STICKY_SIDE;
  const h = item.h || STICKY_SIDE;
  ctx.fillStyle = item.fill || STICKY_FILL;
  ctx.shadowColor = "rgba(0, 0, 0, 0.18)";
  ctx.shadowBlur = 6;
  ctx.shadowOffsetY = 2;
  ctx.fillRect(x, y, w, h);
  ctx.shadowColor = "transparent";
  const size = item.size || STICKY_SIZE;
  ctx.font = `${size}px ${FONT}`;
  ctx.textBaseline = "top";
  ctx.fillStyle = item.color || "#1b1b1b";
  const pad = size * 0.6;
  const lines = wrap(ctx, item.text ?? "", w - 2 * pad);
  const fit = Math.max(1, Math.floor((h - 2 * pad) / (size * 1.25)));
  lines.slice(0, fit).forEach((line, i) => ctx.fillText(line, x + pad, y + pad + i * size * 1.25));
}

/** The text broken into lines no wider than `width` (words, then letters for a word too long). */
export function wrap(ctx, text, width) {
  /** @type {string[]} */
  const lines = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (ctx.measureText(candidate).width <= width || !line) {
        line = candidate;
      } else {
        lines.push(line);
        line = word;
      }
      while (ctx.measureText(line).width > width && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && ctx.measureText(line.slice(0, cut)).width > width) cut -= 1;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    lines.push(line);
  }
  return lines;
}

/** The width and height of a text item as it will be painted (for hit tests). */
export function measureText(ctx, text, size) {
  ctx.save();
  ctx.font = `${size}px ${FONT}`;
  const lines = text.split("\n");
  const w = Math.max(...lines.map((line) => ctx.measureText(line).width), size / 2);
  ctx.restore();
  return { w, h: lines.length * size * 1.25 };
}

/**
 * The page: white paper with its grid or lines, or its background image (drawn once loaded).
 * @param {CanvasRenderingContext2D} ctx @param {PageInfo} page @param {HTMLImageElement | null} image @param {number} scale
 */
export function paintPage(ctx, page, image, scale) {
  ctx.save();
  ctx.fillStyle = "#ffffff";
  ctx.shadowColor = "rgba(0, 0, 0, 0.15)";
  ctx.shadowBlur = 8;
  ctx.fillRect(0, 0, page.width, page.height);
  ctx.restore();
  if (image?.complete && image.naturalWidth) {
    ctx.drawImage(image, 0, 0, page.width, page.height);
    return;
  }
  if (page.background !== "grid" && page.background !== "lines") return;
  ctx.save();
  ctx.strokeStyle = "#d5dee2";
  ctx.lineWidth = 1 / scale;
  ctx.beginPath();
  const step = 40;
  for (let y = step; y < page.height; y += step) {
    ctx.moveTo(0, y);
    ctx.lineTo(page.width, y);
  }
  if (page.background === "grid") {
    for (let x = step; x < page.width; x += step) {
      ctx.moveTo(x, 0);
      ctx.lineTo(x, page.height);
    }
  }
  ctx.stroke();
  ctx.restore();
}

/**
 * Another person's cursor: an arrow in their colour with their name; `scale` keeps it the same size on screen.
 * @param {CanvasRenderingContext2D} ctx
 */
export function paintCursor(ctx, x, y, name, color, scale) {
  ctx.save();
  ctx.translate(x, y);
  ctx.scale(1 / scale, 1 / scale);
  ctx.fillStyle = color;
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(0, 0);
  ctx.lineTo(0, 18);
  ctx.lineTo(5, 13);
  ctx.lineTo(12, 13);
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
  ctx.font = `13px ${FONT}`;
  const width = ctx.measureText(name).width;
  ctx.fillRect(10, 18, width + 10, 19);
  ctx.fillStyle = "#fff";
  ctx.textBaseline = "middle";
  ctx.fillText(name, 15, 28);
  ctx.restore();
}

/**
 * A laser trail: the last second of the pointer's positions, fading with age.
 * @param {CanvasRenderingContext2D} ctx @param {{x: number, y: number, at: number}[]} trail
 */
export function paintLaser(ctx, trail, now, scale) {
  ctx.save();
  ctx.lineCap = "round";
  for (let i = 1; i < trail.length; i += 1) {
    const age = (now - trail[i].at) / 1000;
    if (age > 1) continue;
    ctx.strokeStyle = `rgba(229, 32, 32, ${(1 - age).toFixed(3)})`;
    ctx.lineWidth = 6 / scale;
    ctx.beginPath();
    ctx.moveTo(trail[i - 1].x, trail[i - 1].y);
    ctx.lineTo(trail[i].x, trail[i].y);
    ctx.stroke();
  }
  const last = trail[trail.length - 1];
  if (last && now - last.at < 1000) {
    ctx.fillStyle = "#e52020";
    ctx.beginPath();
    ctx.arc(last.x, last.y, 7 / scale, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.restore();
}
