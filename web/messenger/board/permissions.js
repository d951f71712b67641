/**
 * Who may draw, as the server decides it (docs/board.md, "Permissions"): the browser only mirrors the rule to
 * disable the tools and say why; the server refuses any change that breaks it.
 */
import { t } from "./i18n.js";

/**
 * @typedef {{draw_mode: "organizer" | "everyone" | "chosen", locked: boolean, drawers: number[], live: boolean}} Permissions
 */

/** @param {any} p @returns {Permissions} */
export function normalize(p) {
  return {
    draw_mode: p?.draw_mode === "everyone" || p?.draw_mode === "chosen" ? p.draw_mode : "organizer",
    locked: !!p?.locked,
    drawers: Array.isArray(p?.drawers) ? p.drawers.map(Number) : [],
    live: p?.live !== false,
  };
}

/** @param {Permissions} p @param {number} me @param {boolean} organizer */
export function mayDraw(p, me, organizer) {
  if (!p.live || p.locked) return false;
  return organizer || p.draw_mode === "everyone" || (p.draw_mode === "chosen" && me !== 0 && p.drawers.includes(me));
}

/** Why the person may not draw ("" when they may). @param {Permissions} p @param {number} me @param {boolean} organizer */
export function whyNot(p, me, organizer) {
  if (!p.live) return t("ended");
  if (p.locked) return t("locked");
  if (mayDraw(p, me, organizer)) return "";
  return p.draw_mode === "chosen" ? t("chosen_only") : t("organizer_only");
}
