/**
 * «Доска: доступы», the organizer's panel of the board: who may draw (only the organizer, everyone, or the people
 * ticked), closing and opening the board, clearing the page, a PDF or a picture as the background, and — on a new
 * board of a lesson call — continuing an earlier lesson's board. The server decides every change (its refusal is
 * what the toast says); the panel then shows what the server answered.
 */
import { boardsApi, uploadBackground } from "../boards-api.js";
import { t } from "../i18n.js";
import { $, confirm, toast } from "./dom.js";

/**
 * @typedef {import("./state.js").CallSession} CallSession
 * @typedef {import("./board.js").CallBoard} CallBoard
 */

export class BoardPanel {
  /**
   * @param {CallSession} session
   * @param {() => CallBoard} board
   * @param {{call: {id: string, kind: string}}} boot
   */
  constructor(session, board, boot) {
    this.session = session;
    this.board = board;
    this.boot = boot;
    this.uploading = false;
    /** @type {any[] | null} the earlier boards, once asked for */
    this.earlier = null;
  }

  get open() {
    return !$("call-board-panel").hidden;
  }

  /** @param {() => Promise<import("../boards-api.js").BoardOut>} action */
  async #change(action) {
    try {
      this.board().changed(await action());
    } catch (error) {
      toast(/** @type {Error} */ (error).message);
      this.render(); // back to what the server has
    }
  }

  /** @param {string} mode */
  setMode(mode) {
    const board = this.board().board;
    if (!board || board.draw_mode === mode) return;
    this.#change(() => boardsApi.change(board.id, { draw_mode: mode }));
  }

  /** @param {number} profileId @param {boolean} allowed */
  setDrawer(profileId, allowed) {
    const board = this.board().board;
    if (board) this.#change(() => boardsApi.drawer(board.id, profileId, allowed));
  }

  toggleLock() {
    const board = this.board().board;
    if (board) this.#change(() => boardsApi.change(board.id, { locked: !board.locked }));
  }

  async clearPage() {
    const view = this.board().view;
    if (view && (await confirm(t("board_clear_confirm"), t("board_clear_ok")))) view.clearPage();
  }

  /** The chosen file to the server, then a board page per picture it made; a refusal keeps the file chosen. */
  async upload() {
    const input = /** @type {HTMLInputElement} */ ($("call-board-file"));
    const file = input.files?.[0];
    const { board, view } = this.board();
    if (!file) return input.click(); // «Загрузить» before a file was chosen: choose one
    if (!board || !view || this.uploading) return;
    this.uploading = true;
    $("call-board-upload").disabled = true;
    const progress = /** @type {HTMLProgressElement} */ ($("call-board-upload-progress"));
    const status = $("call-board-upload-status");
    progress.hidden = false;
    progress.value = 0;
    status.dataset.state = "uploading";
    status.textContent = t("board_uploading", { name: file.name });
    try {
      const background = await uploadBackground(board.id, file, (fraction) => {
        progress.value = fraction;
        if (fraction >= 1) status.textContent = t("board_preparing", { name: file.name });
      });
      view.addImagePages(background);
      status.dataset.state = "done";
      status.textContent = t("board_uploaded", { name: background.name ?? file.name, n: background.pages?.length ?? 0 });
      input.value = "";
    } catch (error) {
      status.dataset.state = "refused";
      status.textContent = /** @type {Error} */ (error).message;
    } finally {
      progress.hidden = true;
      this.uploading = false;
      $("call-board-upload").disabled = false;
    }
  }

  /** The earlier boards of this teacher's lessons with the class, to continue one. */
  async loadEarlier() {
    try {
      this.earlier = await boardsApi.earlier(this.session.id);
    } catch (error) {
      toast(/** @type {Error} */ (error).message);
      return;
    }
    this.renderEarlier();
  }

  /** @param {string} boardId */
  async continueEarlier(boardId) {
    const calls = this.board();
    await calls.open({ copyFrom: boardId });
    if (calls.board) toast(t("board_continued"));
    this.earlier = null;
    this.render();
  }

  renderEarlier() {
    const list = $("call-board-earlier-list");
    list.replaceChildren();
    if (this.earlier && !this.earlier.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = t("board_no_earlier");
      list.append(none);
    }
    for (const earlier of this.earlier ?? []) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "call-person-action call-board-earlier-open";
      button.dataset.board = earlier.id;
      const when = earlier.ended_at ? new Date(earlier.ended_at).toLocaleDateString("ru-RU") : "";
      button.textContent = t("board_earlier_item", { title: earlier.title, date: when, n: earlier.pages });
      button.addEventListener("click", () => this.continueEarlier(earlier.id));
      const item = document.createElement("li");
      item.append(button);
      list.append(item);
    }
  }

  /** Whether the board has nothing on it yet (only then may an earlier board be continued). */
  #empty() {
    const pages = this.board().view?.debug?.().pages ?? [];
    return pages.length <= 1 && pages.every((/** @type {any} */ page) => !page.items?.length && !page.image);
  }

  render() {
    const board = this.board().board;
    if (!board) return;
    for (const input of document.querySelectorAll("input[name=call-board-mode]")) {
      /** @type {HTMLInputElement} */ (input).checked = /** @type {HTMLInputElement} */ (input).value === board.draw_mode;
    }
    this.renderDrawers(board);
    const lock = $("call-board-lock");
    lock.setAttribute("aria-pressed", String(board.locked));
    lock.textContent = board.locked ? t("board_unlock") : t("board_lock");
    $("call-board-locked-note").hidden = !board.locked;
    $("call-board-upload").disabled = this.uploading;
    $("call-board-earlier").hidden = this.boot.call.kind !== "lesson" || !this.#empty();
  }

  /** @param {import("../boards-api.js").BoardOut} board */
  renderDrawers(board) {
    const list = $("call-board-drawers");
    list.hidden = board.draw_mode !== "chosen";
    list.replaceChildren();
    const people = (this.session.state?.participants ?? []).filter((person) => !person.is_admin);
    for (const person of people) {
      const profileId = /** @type {number | null | undefined} */ (person.profile_id);
      const box = document.createElement("input");
      box.type = "checkbox";
      box.className = "call-board-drawer";
      box.checked = profileId != null && board.drawers.includes(profileId);
      box.disabled = profileId == null;
      if (profileId != null) box.addEventListener("change", () => this.setDrawer(profileId, box.checked));
      const label = document.createElement("label");
      label.className = "call-check";
      label.append(box, ` ${person.name}${profileId == null ? ` (${t("board_guest_cannot_draw")})` : ""}`);
      const item = document.createElement("li");
      item.dataset.participant = String(person.id);
      if (profileId != null) item.dataset.profile = String(profileId);
      item.append(label);
      list.append(item);
    }
    if (!people.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = t("nobody_else");
      list.append(none);
    }
  }

  /** @param {(id: string, type: string, handler: (event: any) => void) => void} on */
  bind(on) {
    for (const input of document.querySelectorAll("input[name=call-board-mode]")) {
      input.addEventListener("change", (event) => this.setMode(/** @type {HTMLInputElement} */ (event.target).value));
    }
    on("call-board-lock", "click", () => this.toggleLock());
    on("call-board-clear", "click", () => this.clearPage());
    on("call-board-file", "change", () => this.upload());
    on("call-board-upload", "click", () => this.upload());
    on("call-board-earlier-load", "click", () => this.loadEarlier());
  }
}
