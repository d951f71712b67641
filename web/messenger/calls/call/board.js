/**
 * The call's board on the call page (docs/board.md, "The board on the call page"): finding it, showing it beside
 * the videos (a strip) or instead of them (a phone), and the «Видео» / «Доска» switch. The board itself — the
 * drawing, its tool bar, the connection — is web/messenger/board/ (mountBoard), loaded only when a board opens.
 *
 * The call's state says nothing about boards (calls never know boards), so a participant's page asks the boards API
 * (`POST /api/v1/boards/`: the existing board, `board_not_found` before the organizer opens one) whenever the call's
 * state comes (the heartbeat's poll, "call.updated"), at most every few seconds, until it has one. The organizer's
 * page opens (creates) it on «Доска»; after a reload it opens it again by itself (sessionStorage remembers).
 */
import { ApiError } from "../api.js";
import { boardsApi } from "../boards-api.js";
import { t } from "../i18n.js";
import { $, toast } from "./dom.js";

/**
 * @typedef {import("./state.js").CallSession} CallSession
 * @typedef {import("../boards-api.js").BoardOut} BoardOut
 * @typedef {{setPermissions(p: any): void, addImagePages(background: any): void, clearPage(): void,
 *            currentPage(): string, canDraw(): boolean, fit(): void, destroy(): void, debug(): any,
 *            captureStream(fps?: number): MediaStream}} BoardView
 */

const ASK_EVERY_MS = 4000; // a participant's page asks for the board at most this often
const PHONE = "(max-width: 48rem)";

export class CallBoard {
  /**
   * @param {HTMLElement} root  #call-app
   * @param {CallSession} session
   * @param {{me: {id: number, name: string} | null, call: {id: string, kind: string}}} boot
   * @param {{changed: () => void}} hooks  the organizer's panel shows the board's permissions again
   */
  constructor(root, session, boot, hooks) {
    this.root = root;
    this.session = session;
    this.boot = boot;
    this.hooks = hooks;
    /** @type {BoardOut | null} */
    this.board = null;
    /** @type {BoardView | null} */
    this.view = null;
    /** @type {Promise<void> | null} */
    this.opening = null;
    this.askedAt = -Infinity;
    this.remembered = `parta-board-open:${boot.call.id}`;
  }

  get organizer() {
    return Boolean(this.session.state?.me?.is_admin);
  }

  get shown() {
    return this.root.dataset.view === "board";
  }

  /** A new call state: a participant's page asks whether the organizer has opened the board. */
  stateChanged() {
    if (this.board || this.opening || this.session.phase !== "room" || !this.session.state?.me) return;
    if (this.organizer) {
      if (sessionStorage.getItem(this.remembered)) this.open({ quiet: true });
      return;
    }
    if (performance.now() - this.askedAt >= ASK_EVERY_MS) this.open({ quiet: true });
  }

  /** «Доска» in the tool bar: the board (opened first if need be), or back to the videos. */
  async toggle() {
    if (this.board) return this.show(this.shown ? "videos" : "board");
    await this.open();
  }

  /** Opens the call's board (the organizer creates it) and shows it; `quiet`: no toast for «not opened yet».
   * @param {{quiet?: boolean, copyFrom?: string}} [options] */
  open({ quiet = false, copyFrom } = {}) {
    this.opening ??= this.#open(quiet, copyFrom).finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  /** @param {boolean} quiet @param {string | undefined} copyFrom */
  async #open(quiet, copyFrom) {
    this.askedAt = performance.now();
    let board;
    try {
      board = await boardsApi.open(this.session.id, copyFrom);
    } catch (error) {
      const notYet = error instanceof ApiError && error.code === "board_not_found";
      if (!quiet || (!notYet && copyFrom)) toast(/** @type {Error} */ (error).message);
      return;
    }
    if (this.organizer) sessionStorage.setItem(this.remembered, "1");
    await this.mount(board);
    this.show("board");
  }

  /** The board's module (loaded on first use), mounted in #call-board-host; a mounted one is replaced.
   * @param {BoardOut} board */
  async mount(board) {
    const { mountBoard } = await import("../../board/board.js");
    this.view?.destroy();
    this.board = board;
    const me = this.session.me();
    this.view = mountBoard($("call-board-host"), {
      board,
      me: { id: this.boot.me?.id ?? 0, name: me?.name ?? this.boot.me?.name ?? t("you") },
      organizer: this.organizer,
      onPermissions: (/** @type {any} */ frame) => this.permissions(frame),
      onRefused: (/** @type {{message: string}} */ refusal) => toast(refusal.message),
      onStatus: (/** @type {string} */ status) => {
        $("call-board").dataset.status = status;
      },
    });
    this.render();
  }

  /** The server's word on who may draw (the socket's board.permissions, or an API answer).
   * @param {Partial<BoardOut>} frame */
  permissions(frame) {
    if (!this.board) return;
    const { draw_mode, locked, drawers, live } = frame;
    this.board = {
      ...this.board,
      ...(draw_mode !== undefined && { draw_mode }),
      ...(locked !== undefined && { locked }),
      ...(drawers !== undefined && { drawers }),
      ...(live !== undefined && { live }),
    };
    this.render();
  }

  /** An organizer's change answered with the board: the view follows at once (the socket's frame may lag).
   * @param {BoardOut} board */
  changed(board) {
    this.permissions(board);
    this.view?.setPermissions(board);
  }

  /** @param {"board" | "videos"} what */
  show(what) {
    this.root.dataset.view = this.board ? what : "videos";
    this.render();
    if (this.shown) requestAnimationFrame(() => this.view?.fit());
  }

  render() {
    const has = Boolean(this.board);
    $("call-board").hidden = !has;
    $("call-view-switch").hidden = !has;
    $("call-view-board").setAttribute("aria-pressed", String(has && this.shown));
    $("call-view-videos").setAttribute("aria-pressed", String(!has || !this.shown));
    const toggle = $("call-board-toggle");
    toggle.setAttribute("aria-pressed", String(has && this.shown));
    $("call-board-settings").hidden = !(has && this.organizer);
    this.root.dataset.board = has ? "open" : "none";
    this.hooks.changed();
  }

  destroy() {
    this.view?.destroy();
    this.view = null;
  }

  /** @param {(id: string, type: string, handler: (event: any) => void) => void} on */
  bind(on) {
    on("call-board-toggle", "click", () => this.toggle());
    on("call-view-board", "click", () => this.show("board"));
    on("call-view-videos", "click", () => this.show("videos"));
    matchMedia(PHONE).addEventListener?.("change", () => this.shown && this.view?.fit());
  }
}
