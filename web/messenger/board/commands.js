/**
 * The board's keys and the text editor's commit, kept apart from board.js so each stays small.
 */
import { itemsOf, makeItem, newId } from "./model.js";
import { STICKY_SIDE, STICKY_SIZE, TEXT_SIZE, measureText } from "./paint.js";

/**
 * Ctrl+Z undo, Ctrl+Shift+Z and Ctrl+Y redo, Delete / Backspace delete the selection, Escape drops it.
 * Answers whether the key was the board's.
 * @param {KeyboardEvent} event
 * @param {{undo(): void, redo(): void, deleteSelection(): void, clearSelection(): void}} commands
 */
export function boardKeys(event, commands) {
  const key = event.key.toLowerCase();
  if (event.ctrlKey || event.metaKey) {
    if (key === "z" && !event.shiftKey) commands.undo();
    else if ((key === "z" && event.shiftKey) || key === "y") commands.redo();
    else return false;
    return true;
  }
  if (key === "delete" || key === "backspace") commands.deleteSelection();
  else if (key === "escape") commands.clearSelection();
  else return false;
  return true;
}

/**
 * Adds the finished text or sticky to the current page; false (the editor stays open, nothing typed is lost) when
 * there is no page or the person may not draw now.
 * @param {import("./texteditor.js").Draft} draft
 * @param {{page: import("yjs").Map<any> | null, canDraw: boolean, change(fn: () => void): void, author: number,
 *          color: string, ctx: CanvasRenderingContext2D}} where
 */
export function commitText(draft, where) {
  const { page, canDraw, change, author, color, ctx } = where;
  if (!page || !canDraw) return false;
  const base = { id: newId(), kind: draft.kind, author, color, width: 2, x: draft.x, y: draft.y, text: draft.text };
  const item =
    draft.kind === "sticky"
      ? { ...base, color: "#1b1b1b", w: STICKY_SIDE, h: STICKY_SIDE, size: STICKY_SIZE, fill: "#fff3a3" }
      : { ...base, size: TEXT_SIZE, ...measureText(ctx, draft.text, TEXT_SIZE) };
  const map = makeItem(item);
  change(() => itemsOf(page).push([map]));
  return true;
}
