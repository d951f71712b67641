/**
 * The board's Yjs document as the browsers share it (docs/board.md, "The document"): `doc.getArray("pages")`, each
 * page a Y.Map with `items`, a Y.Array of item Y.Maps. Every local change goes through `change()` with the origin
 * LOCAL, which the undo manager tracks; remote changes carry the provider as their origin and are never undone here.
 */
import * as Y from "yjs";

/** The origin of this person's own changes (tracked by their Y.UndoManager). */
export const LOCAL = Symbol("parta-board-local");
/** The origin of the first page's creation: not tracked, so an early Ctrl+Z cannot remove the board's only page. */
export const SETUP = Symbol("parta-board-setup");

export const FIRST_PAGE_ID = "page-1";
export const PAGE_WIDTH = 1600;
export const PAGE_HEIGHT = 1000;

/**
 * @typedef {{id: string, kind: string, author: number, color: string, width: number, points?: number[],
 *            x?: number, y?: number, w?: number, h?: number, text?: string, fill?: string, size?: number}} Item
 * @typedef {{background_id: string, page: number, url: string, width: number, height: number}} PageImage
 * @typedef {{id: string, title: string, background: string, width: number, height: number,
 *            image: PageImage | null}} PageInfo
 */

/** A random id, never reused (the page's and item's `id`). */
export function newId() {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** @param {Y.Doc} doc @returns {Y.Array<Y.Map<any>>} */
export function pagesOf(doc) {
  return doc.getArray("pages");
}

/**
 * The pages in order, one per id: should two tabs ever insert a page with one id at the same moment (the first
 * page, "page-1"), every browser sees the first of them in the array's converged order, so all draw into the same.
 * @param {Y.Array<Y.Map<any>>} pages
 * @returns {Y.Map<any>[]}
 */
export function pageList(pages) {
  const seen = new Set();
  return pages.toArray().filter((page) => {
    const id = page.get("id");
    if (typeof id !== "string" || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** @param {Y.Map<any>} page @returns {PageInfo} */
export function pageInfo(page) {
  const image = page.get("image");
  const valid = image && typeof image.url === "string" ? /** @type {PageImage} */ (image) : null;
  return {
    id: String(page.get("id")),
    title: String(page.get("title") ?? ""),
    background: String(page.get("background") ?? "blank"),
    width: positive(page.get("width")) ?? valid?.width ?? PAGE_WIDTH,
    height: positive(page.get("height")) ?? valid?.height ?? PAGE_HEIGHT,
    image: valid,
  };
}

/** @param {unknown} value */
function positive(value) {
  return typeof value === "number" && value > 0 ? value : null;
}

/**
 * A new page Y.Map (not yet inserted).
 * @param {{id?: string, title: string, background?: string, image?: PageImage, width?: number, height?: number}} page
 */
export function makePage({ id = newId(), title, background = "blank", image, width, height }) {
  const map = new Y.Map();
  map.set("id", id);
  map.set("title", title);
  map.set("background", background);
  if (image) map.set("image", image);
  map.set("width", width ?? image?.width ?? PAGE_WIDTH);
  map.set("height", height ?? image?.height ?? PAGE_HEIGHT);
  map.set("items", new Y.Array());
  return map;
}

/** @param {Y.Map<any>} page @returns {Y.Array<Y.Map<any>>} */
export function itemsOf(page) {
  return page.get("items");
}

/** @param {Item} item */
export function makeItem(item) {
  const map = new Y.Map();
  for (const [key, value] of Object.entries(item)) if (value !== undefined) map.set(key, value);
  return map;
}

/** @type {WeakMap<Y.Map<any>, Item>} */
const plain = new WeakMap();

/**
 * The item as a plain object, cached until the item changes (`forget`), so a frame of 5,000 strokes reads no Y.Map.
 * @param {Y.Map<any>} map
 * @returns {Item}
 */
export function readItem(map) {
  let item = plain.get(map);
  if (!item) {
    item = /** @type {Item} */ (map.toJSON());
    plain.set(map, item);
  }
  return item;
}

/** @param {Y.Map<any>} map */
export function forget(map) {
  plain.delete(map);
}

/**
 * The page with this id (the first, see pageList), or null.
 * @param {Y.Array<Y.Map<any>>} pages
 * @param {string} id
 */
export function findPage(pages, id) {
  return pages.toArray().find((page) => page.get("id") === id) ?? null;
}

/** What the tests read (window.partaBoard.debug()). @param {Y.Array<Y.Map<any>>} pages */
export function describe(pages) {
  return {
    pages: pageList(pages).map((page) => ({
      id: String(page.get("id")),
      items: itemsOf(page)
        .toArray()
        .map((map) => {
          const { id, kind, author, text } = readItem(map);
          return text === undefined ? { id, kind, author } : { id, kind, author, text };
        }),
    })),
  };
}

/** Whether the item (or page) is still in the document (not deleted, here or by someone else). @param {Y.Map<any>} map */
export function alive(map) {
  return !!map.doc && !map._item?.deleted;
}
