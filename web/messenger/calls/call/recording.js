/**
 * The call's recording on the call page (issue 11, docs/recording.md): «Запись» in the control bar for whoever may
 * record (`state.me.may_record`), the red «● Идёт запись» everyone in the room sees while `state.recording.active`,
 * «Урок записывается» on the pre-join screen (the state before joining says `recording_active`), and the organizer's
 * «Отправить запись пропустившим» (the catch-up pack) in the settings panel.
 *
 * While the call is recorded and the board is open, the organizer's page publishes the board's canvas
 * (captureStream) as one more feed — the participant's board feed, from `/board-feed` — so that Janus records the
 * board as it was drawn. It stops with the recording, with the board, or with the room.
 */
import { callsApi } from "../api.js";
import { t } from "../i18n.js";
import { $, confirm, toast } from "./dom.js";

/**
 * @typedef {import("./state.js").CallSession} CallSession
 * @typedef {import("./state.js").CallState} CallState
 * @typedef {import("../room.js").Room} Room
 * @typedef {import("./board.js").CallBoard} CallBoard
 */

const BOARD_FPS = 10;

/** Whether the state says the call is being recorded (the room's state or the one before joining); before any
 * state, the page's first data.
 * @param {CallState | null | undefined} state @param {{recording_active?: boolean}} [boot] */
export function recordingActive(state, boot = {}) {
  if (!state) return Boolean(boot.recording_active);
  return Boolean(state.recording?.active ?? state.recording_active);
}

/** @param {string | null | undefined} iso */
function clock(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString(document.documentElement.lang || "ru", { hour: "2-digit", minute: "2-digit" });
}

export class RecordingControls {
  /**
   * @param {CallSession} session
   * @param {{room: () => Room | null, board: () => CallBoard}} page
   * @param {{recording_active?: boolean}} [boot]  the page's first data
   */
  constructor(session, page, boot = {}) {
    this.session = session;
    this.page = page;
    this.boot = boot;
    this.busy = false;
    /** @type {boolean | null} what the last state said, to tell the others' pages when it changes */
    this.wasActive = null;
    /** @type {MediaStreamTrack | null} the board's canvas track being published */
    this.boardTrack = null;
    /** @type {{room: Room, view: object} | null} where it is published from: a new room or board starts it again */
    this.boardSource = null;
    /** @type {Promise<void> | null} */
    this.boardStarting = null;
    this.boardRefused = false; // the server has no board feed for this page: do not ask again this recording
  }

  get state() {
    return this.session.state;
  }

  get active() {
    return recordingActive(this.state, this.boot);
  }

  get mayRecord() {
    return Boolean(this.state?.me?.may_record);
  }

  /** The pre-join notice, the indicator, the button and the catch-up switch as the state says. */
  render() {
    const state = this.state;
    const active = this.active;
    const inRoom = this.session.phase === "room";
    $("call-recording-prejoin").hidden = !(active && this.session.phase === "prejoin");
    const indicator = $("call-recording-indicator");
    indicator.hidden = !(active && inRoom);
    const recording = state?.recording;
    const since = clock(recording?.started_at);
    indicator.title = active && since
      ? t("recording_since", { time: since, name: recording?.started_by_name ?? "" })
      : "";
    const button = $("call-record");
    button.hidden = !(inRoom && this.mayRecord);
    button.setAttribute("aria-pressed", String(active));
    const label = active ? t("record_stop") : t("record");
    button.setAttribute("aria-label", label);
    $("call-record-label").textContent = label;
    button.toggleAttribute("disabled", this.busy);
    const catchUpRow = $("call-catch-up-row");
    catchUpRow.hidden = !(inRoom && state?.me?.is_admin && recording);
    if (recording && document.activeElement !== $("call-catch-up")) $("call-catch-up").checked = recording.catch_up !== false;
    if (this.wasActive !== null && this.wasActive !== active && inRoom) {
      toast(active ? t("recording_started") : t("recording_stopped"));
    }
    this.wasActive = inRoom ? active : null;
    if (!active) this.boardRefused = false;
    this.syncBoardFeed();
  }

  /** «Запись» / «Остановить запись». */
  async toggle() {
    if (this.busy) return;
    const stopping = this.active;
    if (stopping && !(await confirm(t("stop_recording_confirm"), t("stop_recording_ok")))) return;
    this.busy = true;
    this.render();
    if (!stopping) $("call-record-label").textContent = t("record_starting");
    try {
      await this.session.act(() => callsApi.recording(this.session.id, stopping ? "stop" : "start"));
    } finally {
      this.busy = false;
      this.render();
    }
  }

  /** @param {boolean} enabled */
  async setCatchUp(enabled) {
    await this.session.act(() => callsApi.catchUp(this.session.id, enabled));
    toast(t("saved"));
  }

  // The board's feed ----------------------------------------------------------------------------------------------

  get boardWanted() {
    const board = this.page.board();
    return this.session.phase === "room" && this.active && this.mayRecord && Boolean(this.state?.me?.is_admin)
      && Boolean(board.view) && !this.boardRefused;
  }

  syncBoardFeed() {
    const source = this.boardSource;
    if (this.boardTrack && source && (source.room !== this.page.room() || source.view !== this.page.board().view)) {
      this.stopBoard(); // reconnected (a new Janus session) or the board was mounted again: publish anew
    }
    if (this.boardWanted) {
      if (!this.boardTrack && !this.boardStarting) {
        this.boardStarting = this.#startBoard().finally(() => {
          this.boardStarting = null;
        });
      }
    } else if (this.boardTrack) {
      this.stopBoard();
    }
  }

  async #startBoard() {
    const room = this.page.room();
    const view = this.page.board().view;
    if (!room || !view) return;
    let ticket;
    try {
      ticket = await callsApi.boardFeed(this.session.id);
    } catch {
      this.boardRefused = true; // e.g. a server without board feeds: the recording goes on without the board
      return;
    }
    if (!this.boardWanted || room !== this.page.room()) return;
    const track = view.captureStream(BOARD_FPS).getVideoTracks()[0];
    if (!track) return;
    this.boardTrack = track;
    this.boardSource = { room, view };
    try {
      await room.startBoard(ticket, track);
    } catch {
      this.stopBoard();
      this.boardRefused = true;
    }
  }

  stopBoard() {
    (this.boardSource?.room ?? this.page.room())?.stopBoard();
    this.boardTrack?.stop();
    this.boardTrack = null;
    this.boardSource = null;
  }

  /** @param {(id: string, type: string, handler: (event: any) => void) => void} on */
  bind(on) {
    on("call-record", "click", () => this.toggle());
    on("call-catch-up", "change", (event) => this.setCatchUp(Boolean(event.target.checked)));
  }
}
