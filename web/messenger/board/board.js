/**
 * The call's whiteboard in the browser (docs/board.md, "The browser's board"):
 *
 *   import { mountBoard } from "../board/board.js";
 *   const view = mountBoard(element, { board, me: {id, name}, organizer, onPermissions, onRefused, onStatus });
 *   view.setPermissions(frame); view.addImagePages(background); view.clearPage(); view.captureStream(10);
 *
 * The board draws its own tool bar inside the element; the call page keeps the call-level controls. Test hooks:
 * the element's data-board-status / data-can-draw / data-page / data-pages, the canvas's data-rendered-items, and
 * window.partaBoard.debug().
 */
import { t } from "./i18n.js";
import { DRAWING_TOOLS, Input } from "./input.js";
import { FIRST_PAGE_ID, SETUP, alive, describe, findPage, itemsOf, makePage, pageList } from "./model.js";
import { paintCursor, paintLaser } from "./paint.js";
import { mayDraw, normalize, whyNot } from "./permissions.js";
import { Renderer } from "./renderer.js";
import { Session } from "./session.js";
import { commitText, boardKeys } from "./commands.js";
import { paintSelection, removeItems } from "./actions.js";
import { TextEditor } from "./texteditor.js";
import { COLORS, WIDTHS, buildToolbar } from "./toolbar.js";

const PEOPLE_COLORS = ["#d1242f", "#1f6feb", "#1a7f37", "#8250df", "#e36209", "#bf3989", "#0a7ea4", "#6e7781"];

/**
 * @typedef {{id: string, socket: string, draw_mode: string, locked: boolean, drawers: number[], live: boolean}} BoardOut
 * @typedef {{board: BoardOut, me: {id: number, name: string}, organizer: boolean,
 *   onPermissions?: (p: import("./permissions.js").Permissions) => void,
 *   onRefused?: (refusal: {code: string, message: string}) => void,
 *   onStatus?: (status: "connecting" | "synced" | "offline") => void}} BoardOptions
 */

/** @param {BoardOut} board */
function socketUrl(board) {
  const path = board.socket || `/ws/boards/${board.id}/`;
  return /^wss?:/.test(path) ? path : `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
}

/** @param {HTMLElement} container @param {BoardOptions} options */
export function mountBoard(container, options) {
  const me = { id: Number(options.me?.id) || 0, name: options.me?.name || t("guest") };
  const organizer = !!options.organizer;
  const state = {
    permissions: normalize(options.board),
    tool: "pen",
    color: COLORS[0][0],
    width: WIDTHS[1][0],
    pageId: "",
    pageIndex: 0,
    status: /** @type {"connecting" | "synced" | "offline"} */ ("connecting"),
    closedMessage: "",
    message: /** @type {{text: string, kind: "info" | "error"} | null} */ (null),
    /** @type {Set<import("yjs").Map<any>>} */
    selection: new Set(),
  };
  container.classList.add("board");
  container.replaceChildren();
  const toolbar = buildToolbar(container, (command, value) => run(command, value));
  const stage = document.createElement("div");
  stage.className = "board-stage";
  stage.tabIndex = 0;
  container.append(stage);
  const editorLayer = document.createElement("div");
  editorLayer.className = "board-editors";

  const canDraw = () => mayDraw(state.permissions, me.id, organizer) && state.status !== "offline";
  const tool = () => (DRAWING_TOOLS.has(state.tool) && !canDraw() ? "pan" : state.tool);
  const page = () => (state.pageId ? findPage(session.pages, state.pageId) : null);

  const renderer = new Renderer(stage, {
    overlay: (ctx, view) => paintOverlay(ctx, view.scale),
    onFrame: () => editor.reposition(),
  });
  stage.append(editorLayer);
  const userColor = PEOPLE_COLORS[(me.id || Math.floor(Math.random() * 1000)) % PEOPLE_COLORS.length];
  let session = newSession();

  /** @type {import("./input.js").InputHost} */
  const host = {
    renderer,
    author: me.id,
    page,
    change: (fn) => session.change(fn),
    scale: () => renderer.view.scale,
    style: () => ({ color: state.color, width: state.width }),
    hide: (items) => renderer.hide(items),
    selection: state.selection,
    selected: () => refresh(),
    request: () => renderer.request(),
    laser: (p) => cursor(p, true),
    editText: (kind, p) => editor.start(kind, p.x, p.y),
    tool,
    canDraw,
    cursor: (p) => cursor(p, false),
    keys: (event) => boardKeys(event, { undo, redo, deleteSelection, clearSelection }),
    viewChanged: () => editor.reposition(),
    step: () => session.undo.stopCapturing(),
  };
  const input = new Input(stage, container, host);
  const editor = new TextEditor(editorLayer, {
    toScreen: (x, y) => ({ left: x * renderer.view.scale + renderer.view.x, top: y * renderer.view.scale + renderer.view.y }),
    scale: () => renderer.view.scale,
    color: () => state.color,
    commit: (draft) => commitText(draft, { page: page(), canDraw: canDraw(), change: host.change, author: me.id, color: state.color, ctx: renderer.ctx }),
  });
  let laserOn = false;

  function newSession() {
    return new Session(socketUrl(options.board), { name: me.name, color: userColor }, {
      onStatus: (status) => {
        state.status = status;
        if (status === "synced") ensureFirstPage();
        options.onStatus?.(status);
        refresh();
      },
      onPermissions: (frame) => {
        setPermissions(frame);
        options.onPermissions?.(state.permissions);
      },
      onRefused: (refusal) => refused(refusal),
      onClosed: (code) => {
        state.closedMessage = t(`closed_${code}`);
        refresh();
      },
      onChange: (events) => changed(events),
      onAwareness: () => renderer.request(),
    });
  }

  /** A change the server did not take: say so and start over from the server's document. */
  function refused(/** @type {{code: string, message: string}} */ refusal) {
    say(t("refused", { message: refusal.message || refusal.code }), "error");
    options.onRefused?.(refusal);
    input.drop();
    state.selection.clear();
    session.destroy();
    session = newSession();
    renderer.setPage(null);
    refresh();
  }

  /**
   * The first page. Only the organizer creates it, once synced and only when the board has no page: so two
   * people cannot both add a first page (two Y.Map inserts never merge into one, whatever their ids). The id is
   * the fixed "page-1" all the same, so that two tabs of the organizer racing still agree (pageList keeps the
   * first). SETUP is not an undo origin, so Ctrl+Z cannot take the board's only page away.
   */
  function ensureFirstPage() {
    if (!organizer || !canDraw() || session.pages.length) return;
    session.doc.transact(() => session.pages.push([makePage({ id: FIRST_PAGE_ID, title: t("page_title", { n: 1 }) })]), SETUP);
  }

  /** @param {import("yjs").YEvent<any>[]} events */
  function changed(events) {
    let pagesChanged = false;
    for (const event of events) {
      const target = event.target;
      if (target === session.pages) pagesChanged = true;
      else if (target.parent === session.pages) renderer.invalidate(); // a page's background or size
      else if (target.get?.("kind") !== undefined) renderer.touched(target); // an item's fields
      else if (event.changes.added.size <= 20) {
        for (const item of event.changes.added) renderer.touched(/** @type {any} */ (item.content).type ?? item);
      }
    }
    for (const map of state.selection) if (!alive(map)) state.selection.delete(map);
    if (pagesChanged || !page()) refresh();
    else renderer.request();
    updateToolbar();
  }

  /** Puts the view, the hooks and the tool bar in line with the state. */
  function refresh() {
    const pages = pageList(session.pages);
    const index = pages.findIndex((p) => p.get("id") === state.pageId);
    // The page went (deleted by someone): its neighbour. Not before the first sync of a new session, which would
    // lose the page the person was on.
    if (index >= 0) state.pageIndex = index;
    else if (pages.length || session.synced) {
      state.pageId = pages.length ? String(pages[Math.min(state.pageIndex, pages.length - 1)].get("id")) : "";
    }
    renderer.setPage(page());
    if (!canDraw()) input.cancel();
    container.dataset.boardStatus = state.status;
    container.dataset.canDraw = String(canDraw());
    container.dataset.page = state.pageId;
    container.dataset.pages = String(pages.length);
    updateToolbar();
    toolbar.say(...notice(pages.length));
  }

  /** @returns {[string, "info" | "error"]} */
  function notice(pageCount) {
    if (state.closedMessage) return [state.closedMessage, "error"];
    if (state.message) return [state.message.text, state.message.kind];
    if (state.status === "offline") return [t("offline"), "error"];
    if (state.status === "connecting") return [t("connecting"), "info"];
    if (!pageCount) return [t("waiting_first_page"), "info"];
    return [whyNot(state.permissions, me.id, organizer), "info"];
  }

  function updateToolbar() {
    const pages = pageList(session.pages);
    toolbar.update({
      tool: tool(),
      color: state.color,
      width: state.width,
      canDraw: canDraw(),
      drawingTools: DRAWING_TOOLS,
      page: pages.findIndex((p) => p.get("id") === state.pageId) + 1,
      pages: pages.length,
      canUndo: session.undo.canUndo(),
      canRedo: session.undo.canRedo(),
      selected: state.selection.size,
    });
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} scale */
  function paintOverlay(ctx, scale) {
    input.paint(ctx);
    paintSelection(ctx, state.selection, scale);
    const now = performance.now();
    let fading = false;
    for (const other of session.others(state.pageId)) {
      if (other.trail.length) {
        paintLaser(ctx, other.trail, now, scale);
        fading = true;
      }
      paintCursor(ctx, other.x, other.y, other.name, other.color, scale);
    }
    if (ownTrail.length) {
      paintLaser(ctx, ownTrail, now, scale);
      while (ownTrail.length && now - ownTrail[0].at > 1000) ownTrail.shift();
      fading ||= ownTrail.length > 0;
    }
    return fading;
  }

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let messageTimer;
  /** A message for a while (a refusal), then the usual notice again. @param {string} text @param {"info" | "error"} kind */
  function say(text, kind) {
    state.message = { text, kind };
    clearTimeout(messageTimer);
    messageTimer = setTimeout(() => {
      state.message = null;
      refresh();
    }, 8000);
  }

  /** @type {{x: number, y: number, at: number}[]} */
  const ownTrail = [];
  /** @param {{x: number, y: number} | null} p @param {boolean} laser */
  function cursor(p, laser) {
    if (laser) {
      laserOn = !!p;
      if (p) ownTrail.push({ ...p, at: performance.now() });
      renderer.request();
    }
    session.cursor(p && state.pageId ? { x: Math.round(p.x), y: Math.round(p.y), page: state.pageId, ...(laserOn ? { laser: true } : {}) } : null);
  }

  function undo() {
    if (!canDraw()) return;
    session.undo.undo();
  }

  function redo() {
    if (!canDraw()) return;
    session.undo.redo();
  }

  function deleteSelection() {
    const current = page();
    if (!canDraw() || !current || !state.selection.size) return;
    session.undo.stopCapturing();
    session.change(() => removeItems(current, [...state.selection]));
    state.selection.clear();
    refresh();
  }

  function clearSelection() {
    state.selection.clear();
    renderer.request();
    updateToolbar();
  }

  /** @param {number} delta */
  function goToPage(delta) {
    const pages = pageList(session.pages);
    const index = pages.findIndex((p) => p.get("id") === state.pageId) + delta;
    if (index < 0 || index >= pages.length) return;
    state.pageId = String(pages[index].get("id"));
    state.selection.clear();
    refresh();
  }

  function addPage() {
    if (!canDraw()) return;
    const pages = pageList(session.pages);
    const map = makePage({ title: t("page_title", { n: pages.length + 1 }) });
    session.undo.stopCapturing();
    session.change(() => session.pages.push([map]));
    state.pageId = String(map.get("id"));
    refresh();
  }

  function deletePage() {
    const pages = pageList(session.pages);
    const current = page();
    if (!canDraw() || !current || pages.length <= 1) return;
    const n = pages.indexOf(current) + 1;
    if (!window.confirm(t("delete_page_confirm", { n }))) return;
    const index = session.pages.toArray().indexOf(current);
    session.undo.stopCapturing();
    session.change(() => session.pages.delete(index, 1));
    refresh();
  }

  /** @param {string} command @param {string} [value] */
  function run(command, value) {
    state.message = null;
    if (command === "tool" && value) {
      input.cancel();
      state.tool = value;
      if (value !== "select") state.selection.clear();
    } else if (command === "color" && value) state.color = value;
    else if (command === "width" && value) state.width = Number(value);
    else if (command === "undo") undo();
    else if (command === "redo") redo();
    else if (command === "delete") deleteSelection();
    else if (command === "prev-page") goToPage(-1);
    else if (command === "next-page") goToPage(1);
    else if (command === "add-page") addPage();
    else if (command === "delete-page") deletePage();
    else if (command === "zoom-in") renderer.zoomAt(1.25);
    else if (command === "zoom-out") renderer.zoomAt(0.8);
    else if (command === "fit") renderer.fit();
    session.undo.stopCapturing();
    refresh();
  }

  /** @param {any} p */
  function setPermissions(p) {
    state.permissions = normalize({ ...state.permissions, ...p });
    refresh();
  }

  /** One page per page of an uploaded background (the backgrounds API's answer); shows the first. */
  function addImagePages(/** @type {{id: string, pages: {page: number, url: string, width: number, height: number}[]}} */ background) {
    if (!canDraw() || !background?.pages?.length) return [];
    const first = pageList(session.pages).length + 1;
    const maps = background.pages.map((p, i) =>
      makePage({
        title: t("page_title", { n: first + i }),
        image: { background_id: background.id, page: p.page, url: p.url, width: p.width, height: p.height },
      }),
    );
    session.undo.stopCapturing();
    session.change(() => session.pages.push(maps));
    state.pageId = String(maps[0].get("id"));
    refresh();
    return maps.map((map) => String(map.get("id")));
  }

  function clearPage() {
    const current = page();
    if (!canDraw() || !current) return;
    const items = itemsOf(current);
    session.undo.stopCapturing();
    session.change(() => items.delete(0, items.length));
    state.selection.clear();
    refresh();
  }

  const view = {
    setPermissions,
    addImagePages,
    clearPage,
    currentPage: () => state.pageId,
    canDraw,
    /** The rendered current page as a video track (for a recording). */
    captureStream: (fps = 10) => renderer.canvas.captureStream(fps),
    fit: () => renderer.fit(),
    destroy() {
      clearTimeout(messageTimer);
      editor.finish(true);
      input.destroy();
      session.destroy();
      renderer.destroy();
      container.replaceChildren();
      if (window.partaBoard === view) delete window.partaBoard;
    },
    debug: () => describe(session.pages),
    stats: () => {
      const others = session.others(state.pageId);
      const lasers = others.filter((other) => other.trail.length).map((other) => other.name);
      return { ...renderer.stats, view: { ...renderer.view }, others: others.map((other) => other.name), lasers };
    },
    doc: () => session.doc,
  };
  window.partaBoard = view;
  refresh();
  return view;
}
