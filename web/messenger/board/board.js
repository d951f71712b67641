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
import { FIRST_PAGE_ID, SETUP, alive, describe, findPage, itemsOf, makePage, pageList, readItem } from "./model.js";
import { hitForSelect } from "./geometry.js";
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

/**
 * One mounted board: the person's state (tool, colour, width, current page, selection, permissions) around the
 * current Session, the renderer, the pointer input and the text editor.
 */
class Board {
  /** @param {HTMLElement} container @param {BoardOptions} options */
  constructor(container, options) {
    this.container = container;
    this.options = options;
    this.me = { id: Number(options.me?.id) || 0, name: options.me?.name || t("guest") };
    this.organizer = !!options.organizer;
    this.state = {
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
      laser: false,
    };
    /** @type {{x: number, y: number, at: number}[]} */
    this.ownTrail = [];
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.messageTimer = undefined;
    this.userColor = PEOPLE_COLORS[(this.me.id || Math.floor(Math.random() * 1000)) % PEOPLE_COLORS.length];
    container.classList.add("board");
    container.replaceChildren();
    this.toolbar = buildToolbar(container, (command, value) => this.run(command, value));
    const stage = document.createElement("div");
    stage.className = "board-stage";
    stage.tabIndex = 0;
    container.append(stage);
    this.renderer = new Renderer(stage, {
      overlay: (ctx, view) => this.paintOverlay(ctx, view.scale),
      onFrame: () => this.editor?.reposition(),
    });
    const editorLayer = document.createElement("div");
    editorLayer.className = "board-editors";
    stage.append(editorLayer);
    this.session = this.newSession();
    this.input = new Input(stage, container, this.inputHost());
    this.editor = new TextEditor(editorLayer, this.editorHost());
  }

  canDraw() {
    return mayDraw(this.state.permissions, this.me.id, this.organizer) && this.state.status !== "offline";
  }

  /** The tool in effect: a drawing tool turns into panning while the person may not draw. */
  tool() {
    return DRAWING_TOOLS.has(this.state.tool) && !this.canDraw() ? "pan" : this.state.tool;
  }

  page() {
    return this.state.pageId ? findPage(this.session.pages, this.state.pageId) : null;
  }

  /** @returns {import("./input.js").InputHost} */
  inputHost() {
    const renderer = this.renderer;
    return {
      renderer,
      author: this.me.id,
      page: () => this.page(),
      change: (fn) => this.session.change(fn),
      scale: () => renderer.view.scale,
      style: () => ({ color: this.state.color, width: this.state.width }),
      hide: (items) => renderer.hide(items),
      selection: this.state.selection,
      selected: () => this.refresh(),
      request: () => renderer.request(),
      laser: (p) => this.cursor(p, true),
      editText: (kind, p) => this.editor.start(kind, p.x, p.y),
      tool: () => this.tool(),
      canDraw: () => this.canDraw(),
      cursor: (p) => this.cursor(p, false),
      keys: (event) => boardKeys(event, this),
      viewChanged: () => this.editor.reposition(),
      step: () => this.session.undo.stopCapturing(),
      editItemAt: (p) => this.editItemAt(p),
    };
  }

  /** Opens the topmost text or sticky under the point in the editor. @param {{x: number, y: number}} p */
  editItemAt(p) {
    const page = this.page();
    const maps = page ? itemsOf(page).toArray().reverse() : [];
    const map = maps.find((each) => {
      const item = readItem(each);
      return (item.kind === "text" || item.kind === "sticky") && hitForSelect(item, p.x, p.y, 4 / this.renderer.view.scale);
    });
    if (!map) return;
    const item = readItem(map);
    this.input.cancel(); // the first click of the double click may have begun a new text
    this.editor.finish(false);
    this.editor.start(/** @type {"text" | "sticky"} */ (item.kind), item.x ?? 0, item.y ?? 0, item.text ?? "", map);
  }

  /** @returns {import("./texteditor.js").EditorHost} */
  editorHost() {
    const view = () => this.renderer.view;
    return {
      toScreen: (x, y) => ({ left: x * view().scale + view().x, top: y * view().scale + view().y }),
      scale: () => view().scale,
      color: () => this.state.color,
      commit: (draft) =>
        commitText(draft, {
          page: this.page(),
          canDraw: this.canDraw(),
          change: (fn) => this.session.change(fn),
          author: this.me.id,
          color: this.state.color,
          ctx: this.renderer.ctx,
        }),
    };
  }

  newSession() {
    const { options, state } = this;
    return new Session(socketUrl(options.board), { name: this.me.name, color: this.userColor }, {
      onStatus: (status) => {
        state.status = status;
        if (status === "synced") this.ensureFirstPage();
        options.onStatus?.(status);
        this.refresh();
      },
      onPermissions: (frame) => {
        this.setPermissions(frame);
        options.onPermissions?.(state.permissions);
      },
      onRefused: (refusal) => this.refused(refusal),
      onClosed: (code) => {
        state.closedMessage = t(`closed_${code}`);
        this.refresh();
      },
      onChange: (events) => this.changed(events),
      onAwareness: () => this.renderer.request(),
    });
  }

  /** A change the server did not take: say so and start over from the server's document. */
  refused(/** @type {{code: string, message: string}} */ refusal) {
    this.say(t("refused", { message: refusal.message || refusal.code }), "error");
    this.options.onRefused?.(refusal);
    this.input.drop();
    this.state.selection.clear();
    this.session.destroy();
    this.session = this.newSession();
    this.renderer.setPage(null);
    this.refresh();
  }

  /**
   * The first page. Only the organizer creates it, once synced and only when the board has no page: so two
   * people cannot both add a first page (two Y.Map inserts never merge into one, whatever their ids). The id is
   * the fixed "page-1" all the same, so that two tabs of the organizer racing still agree (pageList keeps the
   * first). SETUP is not an undo origin, so Ctrl+Z cannot take the board's only page away.
   */
  ensureFirstPage() {
    const { session } = this;
    if (!this.organizer || !this.canDraw() || session.pages.length) return;
    const first = makePage({ id: FIRST_PAGE_ID, title: t("page_title", { n: 1 }) });
    session.doc.transact(() => session.pages.push([first]), SETUP);
  }

  /** @param {import("yjs").YEvent<any>[]} events */
  changed(events) {
    const { renderer, session } = this;
    let pagesChanged = false;
    for (const event of events) {
      const target = event.target;
      if (target === session.pages) pagesChanged = true;
      else if (target.parent === session.pages) renderer.invalidate(); // a page's background or size
      else if (target.get?.("kind") !== undefined) renderer.touched(target); // an item's fields
      else if (event.changes.added.size <= 20) {
        // a few new items are fresh (a stroke begun); a whole board arriving at once is painted settled
        for (const item of event.changes.added) renderer.touched(/** @type {any} */ (item.content).type ?? item);
      }
    }
    for (const map of this.state.selection) if (!alive(map)) this.state.selection.delete(map);
    if (pagesChanged || !this.page()) this.refresh();
    else renderer.request();
    this.updateToolbar();
  }

  /** Puts the view, the hooks and the tool bar in line with the state. */
  refresh() {
    const { state, container } = this;
    const pages = pageList(this.session.pages);
    const index = pages.findIndex((p) => p.get("id") === state.pageId);
    // The page went (deleted by someone): its neighbour. Not before the first sync of a new session, which would
    // lose the page the person was on.
    if (index >= 0) state.pageIndex = index;
    else if (pages.length || this.session.synced) {
      state.pageId = pages.length ? String(pages[Math.min(state.pageIndex, pages.length - 1)].get("id")) : "";
    }
    this.renderer.setPage(this.page());
    if (!this.canDraw()) this.input.cancel();
    container.dataset.boardStatus = state.status;
    container.dataset.canDraw = String(this.canDraw());
    container.dataset.page = state.pageId;
    container.dataset.pages = String(pages.length);
    this.updateToolbar();
    this.toolbar.say(...this.notice(pages.length));
  }

  /** @param {number} pageCount @returns {[string, "info" | "error"]} */
  notice(pageCount) {
    const { state } = this;
    if (state.closedMessage) return [state.closedMessage, "error"];
    if (state.message) return [state.message.text, state.message.kind];
    if (state.status === "offline") return [t("offline"), "error"];
    if (state.status === "connecting") return [t("connecting"), "info"];
    if (!pageCount) return [t("waiting_first_page"), "info"];
    return [whyNot(state.permissions, this.me.id, this.organizer), "info"];
  }

  updateToolbar() {
    const { state, session } = this;
    const pages = pageList(session.pages);
    this.toolbar.update({
      tool: this.tool(),
      color: state.color,
      width: state.width,
      canDraw: this.canDraw(),
      drawingTools: DRAWING_TOOLS,
      page: pages.findIndex((p) => p.get("id") === state.pageId) + 1,
      pages: pages.length,
      canUndo: session.undo.canUndo(),
      canRedo: session.undo.canRedo(),
      selected: state.selection.size,
    });
  }

  /** A message for a while (a refusal), then the usual notice again. @param {string} text @param {"info" | "error"} kind */
  say(text, kind) {
    this.state.message = { text, kind };
    clearTimeout(this.messageTimer);
    this.messageTimer = setTimeout(() => {
      this.state.message = null;
      this.refresh();
    }, 8000);
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} scale */
  paintOverlay(ctx, scale) {
    this.input?.paint(ctx);
    paintSelection(ctx, this.state.selection, scale);
    const now = performance.now();
    let fading = false;
    for (const other of this.session.others(this.state.pageId)) {
      if (other.trail.length) {
        paintLaser(ctx, other.trail, now, scale);
        fading = true;
      }
      paintCursor(ctx, other.x, other.y, other.name, other.color, scale);
    }
    const trail = this.ownTrail;
    if (trail.length) {
      paintLaser(ctx, trail, now, scale);
      while (trail.length && now - trail[0].at > 1000) trail.shift();
      fading ||= trail.length > 0;
    }
    return fading;
  }

  /** @param {{x: number, y: number} | null} p @param {boolean} laser */
  cursor(p, laser) {
    const { state } = this;
    if (laser) {
      state.laser = !!p;
      if (p) this.ownTrail.push({ ...p, at: performance.now() });
      this.renderer.request();
    }
    const at = p && state.pageId ? { x: Math.round(p.x), y: Math.round(p.y), page: state.pageId } : null;
    this.session.cursor(at && state.laser ? { ...at, laser: true } : at);
  }

  undo() {
    if (this.canDraw()) this.session.undo.undo();
  }

  redo() {
    if (this.canDraw()) this.session.undo.redo();
  }

  deleteSelection() {
    const current = this.page();
    const { selection } = this.state;
    if (!this.canDraw() || !current || !selection.size) return;
    this.session.undo.stopCapturing();
    this.session.change(() => removeItems(current, [...selection]));
    selection.clear();
    this.refresh();
  }

  clearSelection() {
    this.state.selection.clear();
    this.renderer.request();
    this.updateToolbar();
  }

  /** @param {string} command @param {string} [value] */
  run(command, value) {
    const { state, renderer } = this;
    state.message = null;
    if (command === "tool" && value) {
      this.input.cancel();
      state.tool = value;
      if (value !== "select") state.selection.clear();
    } else if (command === "color" && value) state.color = value;
    else if (command === "width" && value) state.width = Number(value);
    else if (command === "undo") this.undo();
    else if (command === "redo") this.redo();
    else if (command === "delete") this.deleteSelection();
    else if (command === "prev-page" || command === "next-page") this.goToPage(command === "prev-page" ? -1 : 1);
    else if (command === "add-page") this.addPage();
    else if (command === "delete-page") this.deletePage();
    else if (command === "zoom-in") renderer.zoomAt(1.25);
    else if (command === "zoom-out") renderer.zoomAt(0.8);
    else if (command === "fit") renderer.fit();
    this.session.undo.stopCapturing();
    this.refresh();
  }

  /** @param {number} delta */
  goToPage(delta) {
    const pages = pageList(this.session.pages);
    const index = pages.findIndex((p) => p.get("id") === this.state.pageId) + delta;
    if (index < 0 || index >= pages.length) return;
    this.state.pageId = String(pages[index].get("id"));
    this.state.selection.clear();
    this.refresh();
  }

  /** @param {import("yjs").Map<any>[]} maps  new pages, added at the end; the first is shown */
  addPages(maps) {
    this.session.undo.stopCapturing();
    this.session.change(() => this.session.pages.push(maps));
    this.state.pageId = String(maps[0].get("id"));
    this.state.selection.clear();
    this.refresh();
  }

  addPage() {
    if (this.canDraw()) this.addPages([makePage({ title: t("page_title", { n: pageList(this.session.pages).length + 1 }) })]);
  }

  deletePage() {
    const { session } = this;
    const pages = pageList(session.pages);
    const current = this.page();
    if (!this.canDraw() || !current || pages.length <= 1) return;
    if (!window.confirm(t("delete_page_confirm", { n: pages.indexOf(current) + 1 }))) return;
    const index = session.pages.toArray().indexOf(current);
    session.undo.stopCapturing();
    session.change(() => session.pages.delete(index, 1));
    this.refresh();
  }

  /** @param {any} p  a board.permissions frame, the API's BoardOut, or some of their fields */
  setPermissions(p) {
    this.state.permissions = normalize({ ...this.state.permissions, ...p });
    this.refresh();
  }

  /** One page per page of an uploaded background (the backgrounds API's answer); shows the first. */
  addImagePages(/** @type {{id: string, pages: {page: number, url: string, width: number, height: number}[]}} */ background) {
    if (!this.canDraw() || !background?.pages?.length) return [];
    const first = pageList(this.session.pages).length + 1;
    const maps = background.pages.map((p, i) =>
      makePage({
        title: t("page_title", { n: first + i }),
        image: { background_id: background.id, page: p.page, url: p.url, width: p.width, height: p.height },
      }),
    );
    this.addPages(maps);
    return maps.map((map) => String(map.get("id")));
  }

  clearPage() {
    const current = this.page();
    if (!this.canDraw() || !current) return;
    const items = itemsOf(current);
    this.session.undo.stopCapturing();
    this.session.change(() => items.delete(0, items.length));
    this.state.selection.clear();
    this.refresh();
  }

  stats() {
    const others = this.session.others(this.state.pageId);
    const lasers = others.filter((other) => other.trail.length).map((other) => other.name);
    return { ...this.renderer.stats, view: { ...this.renderer.view }, others: others.map((other) => other.name), lasers };
  }

  destroy() {
    clearTimeout(this.messageTimer);
    this.editor.finish(true);
    this.input.destroy();
    this.session.destroy();
    this.renderer.destroy();
    this.container.replaceChildren();
  }
}

/** @param {HTMLElement} container @param {BoardOptions} options */
export function mountBoard(container, options) {
  const board = new Board(container, options);
  const view = {
    setPermissions: (/** @type {any} */ p) => board.setPermissions(p),
    addImagePages: (/** @type {any} */ background) => board.addImagePages(background),
    clearPage: () => board.clearPage(),
    currentPage: () => board.state.pageId,
    canDraw: () => board.canDraw(),
    /** The rendered current page as a video track (for a recording). */
    captureStream: (fps = 10) => board.renderer.canvas.captureStream(fps),
    fit: () => board.renderer.fit(),
    destroy() {
      board.destroy();
      if (window.partaBoard === view) delete window.partaBoard;
    },
    debug: () => describe(board.session.pages),
    stats: () => board.stats(),
    doc: () => board.session.doc,
  };
  window.partaBoard = view;
  board.refresh();
  return view;
}
