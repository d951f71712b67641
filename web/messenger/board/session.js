/**
 * One life of the board's document: a Y.Doc, its provider (the socket), the person's undo manager and the others'
 * cursors. After a refusal the board starts a new session — a fresh doc filled from the server — so a change the
 * server did not take is never left on screen (docs/board.md, "Wire protocol").
 */
import * as Y from "yjs";

import { LOCAL, pagesOf } from "./model.js";
import { BoardProvider } from "./provider.js";

const CURSOR_EVERY = 50; // ms: the cursor goes out at most 20 times a second
const TRAIL_MS = 1000; // a laser point fades out in a second

/**
 * @typedef {import("./provider.js").Events} Events
 * @typedef {{x: number, y: number, at: number}} TrailPoint
 */

export class Session {
  /**
   * @param {string} url @param {{name: string, color: string}} user
   * @param {Events & {onChange(events: Y.YEvent<any>[], transaction: Y.Transaction): void, onAwareness(): void}} events
   */
  constructor(url, user, events) {
    this.doc = new Y.Doc();
    this.pages = pagesOf(this.doc);
    this.synced = false;
    this.provider = new BoardProvider(url, this.doc, {
      ...events,
      onStatus: (status) => {
        if (status === "synced") this.synced = true;
        events.onStatus?.(status);
      },
    });
    this.awareness = this.provider.awareness;
    // Only this person's own changes are undone (remote ones carry the provider as origin); a stroke's growing
    // updates fall within captureTimeout and undo as one, and each new action starts a new step (stopCapturing).
    this.undo = new Y.UndoManager(this.pages, { trackedOrigins: new Set([null, LOCAL]), captureTimeout: 600 });
    this.onChange = events.onChange;
    this.pages.observeDeep(this.onChange);
    /** @type {Map<number, TrailPoint[]>} */
    this.trails = new Map();
    this.awareness.setLocalState({ user, cursor: null });
    this.awareness.on("change", (/** @type {any} */ { added, updated, removed }) => {
      const now = performance.now();
      for (const id of [...added, ...updated]) {
        const cursor = this.awareness.getStates().get(id)?.cursor;
        if (id === this.doc.clientID || !cursor?.laser) continue;
        const trail = this.trails.get(id) ?? [];
        trail.push({ x: cursor.x, y: cursor.y, at: now });
        this.trails.set(id, trail.filter((point) => now - point.at < TRAIL_MS));
      }
      for (const id of removed) this.trails.delete(id);
      events.onAwareness();
    });
    /** @type {{x: number, y: number, page: string, laser?: boolean} | null} */
    this.nextCursor = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.cursorTimer = undefined;
  }

  /** @param {() => void} fn */
  change(fn) {
    this.doc.transact(fn, LOCAL);
  }

  /** Reports the cursor (board units, with the page it is on), throttled. @param {{x: number, y: number, page: string, laser?: boolean} | null} cursor */
  cursor(cursor) {
    this.nextCursor = cursor;
    if (this.cursorTimer !== undefined) return;
    this.awareness.setLocalStateField("cursor", this.nextCursor);
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = undefined;
      const state = this.awareness.getLocalState();
      if (state && state.cursor !== this.nextCursor) this.awareness.setLocalStateField("cursor", this.nextCursor);
    }, CURSOR_EVERY);
  }

  /** The others on this page: their cursor, name, colour and laser trail. @param {string} page */
  others(page) {
    const now = performance.now();
    const result = [];
    for (const [id, state] of this.awareness.getStates()) {
      if (id === this.doc.clientID || !state?.cursor || state.cursor.page !== page) continue;
      const trail = (this.trails.get(id) ?? []).filter((point) => now - point.at < TRAIL_MS);
      const { name = "", color = "#555" } = state.user ?? {};
      result.push({ x: Number(state.cursor.x), y: Number(state.cursor.y), name: String(name), color: String(color), trail });
    }
    return result;
  }

  destroy() {
    clearTimeout(this.cursorTimer);
    this.pages.unobserveDeep(this.onChange);
    this.undo.destroy();
    this.provider.destroy();
    this.doc.destroy();
  }
}
