/**
 * The call page (/calls/<public_id>/, docs/calls.md): pre-join (camera and microphone preview, devices, «Присоединиться»),
 * then the room — media through Janus (room.js), the call's state from the messenger's API.
 *
 * This module is the page: joining, the media connection, leaving and the closing screen. The rest is in call/:
 * state.js (the call's state, the heartbeat, following the organizer), controls.js (the control bar), panels.js
 * (participants, chat, permissions, layout), dom.js (elements by id, notices, the toast), recording.js («Запись», the
 * indicator, the board's feed while recording).
 */
import { ApiError, callsApi } from "./api.js";
import { CallBoard } from "./call/board.js";
import { BoardPanel } from "./call/board-panel.js";
import { Controls } from "./call/controls.js";
import { $, hideNotice, notice, setStatus, toast } from "./call/dom.js";
import { Panels } from "./call/panels.js";
import { RecordingControls } from "./call/recording.js";
import { CallSession } from "./call/state.js";
import { LocalMedia, fillSelect, meter } from "./devices.js";
import { t } from "./i18n.js";
import { Room } from "./room.js";
import { Stage } from "./stage.js";

/**
 * The page's first data (calls/views.py, json_script #call-boot).
 * @typedef {object} Boot
 * @property {{id: string, pk: number, title: string, kind: string}} call
 * @property {number | null} chat_id
 * @property {string | null} chat_url
 * @property {{id: number, name: string} | null} me
 * @property {boolean} guest
 * @property {number} after
 * @property {boolean} ended
 * @property {boolean} [recording_active]  the call is being recorded (the notice before joining)
 * @property {boolean} libraries
 * @property {number} poll_seconds
 */

class CallPage {
  /** @param {HTMLElement} root @param {Boot} boot */
  constructor(root, boot) {
    this.root = root;
    this.boot = boot;
    this.id = boot.call.id;
    this.media = new LocalMedia();
    /** @type {any} the ticket of `/join` (docs/calls.md): room, token, feed id, the first state */
    this.ticket = null;
    /** @type {Room | null} */
    this.room = null;
    this.reconnecting = false;
    /** @type {(() => void) | undefined} */
    this.stopMeter = undefined;
    /** @type {{joinClickedAt: number | null, firstRemoteFrameAt: number | null}} */
    this.timing = { joinClickedAt: null, firstRemoteFrameAt: null };
    this.stage = new Stage($("call-stage"), { timing: this.timing });
    this.session = new CallSession(this.id, {
      finish: (reason) => this.finish(reason),
      reconnect: () => this.reconnect(),
      render: (state) => {
        this.stage.update(state);
        this.panels.render(state);
        this.controls.render();
        this.recording.render();
        this.board.stateChanged();
        if (this.boardPanel.open) this.boardPanel.render();
      },
      renderControls: () => this.controls.render(),
      applyLocalTracks: () => this.controls.applyLocalTracks(),
      stopScreen: (options) => this.controls.stopScreen(options),
    });
    this.controls = new Controls(root, this.session, this.media, {
      room: () => this.room,
      devicesChanged: async () => {
        this.showPreview();
        await this.fillDevices();
      },
    });
    this.panels = new Panels(root, this.session, this.stage, boot);
    this.recording = new RecordingControls(this.session, { room: () => this.room, board: () => this.board }, boot);
    this.board = new CallBoard(root, this.session, boot, {
      changed: () => {
        this.boardPanel.render();
        this.recording.syncBoardFeed();
      },
    });
    this.boardPanel = new BoardPanel(this.session, () => this.board, boot);
    this.bind();
  }

  get phase() {
    return this.session.phase;
  }

  // Pre-join --------------------------------------------------------------------------------------------------------

  async start() {
    if (this.boot.ended) return this.finish("ended");
    if (!this.boot.libraries || typeof window.Janus === "undefined") {
      notice(t("libraries_missing"));
      $("call-join").disabled = true;
      return;
    }
    this.recording.render(); // «Урок записывается» from the page's first data, before its state comes
    this.session.refresh({ quiet: true }); // an ended call or a refusal shows before one clicks
    await this.media.open();
    if (this.media.denied && !this.media.stream.getTracks().length) notice(t("camera_denied"));
    this.showPreview();
    await this.fillDevices();
    navigator.mediaDevices?.addEventListener?.("devicechange", () => this.fillDevices());
  }

  showPreview() {
    const preview = $("call-preview");
    preview.srcObject = this.media.stream;
    preview.play().catch(() => {});
    const cameraOn = $("call-join-camera").checked && Boolean(this.media.video);
    if (this.media.video) this.media.video.enabled = cameraOn;
    if (this.media.audio) this.media.audio.enabled = $("call-join-mic").checked;
    $("call-preview-off").hidden = cameraOn;
    this.stopMeter?.();
    this.stopMeter = meter(this.media.audio, $("call-mic-level"));
  }

  async fillDevices() {
    const { cameras, mics } = await this.media.devices();
    /** @type {[HTMLSelectElement, "video" | "audio", MediaDeviceInfo[]][]} */
    const selects = [
      [$("call-camera-select"), "video", cameras],
      [$("call-room-camera-select"), "video", cameras],
      [$("call-mic-select"), "audio", mics],
      [$("call-room-mic-select"), "audio", mics],
    ];
    for (const [select, kind, list] of selects) fillSelect(select, list, this.media.deviceId(kind), kind);
  }

  /** @param {Event} [event] */
  async join(event) {
    event?.preventDefault();
    this.timing.joinClickedAt = performance.now();
    const nameField = $("call-guest-name");
    const name = nameField?.value.trim() ?? "";
    if (nameField && !name) {
      notice(t("name_needed"));
      nameField.focus();
      return;
    }
    const button = $("call-join");
    button.disabled = true;
    button.textContent = t("joining");
    try {
      await this.enter(name);
    } catch (error) {
      notice(error instanceof ApiError ? error.message : t("media_failed"));
    } finally {
      button.disabled = false;
      button.textContent = t("join");
    }
  }

  /** Ticket, the room on screen, then Janus; a refusal of the ticket leaves the pre-join screen as it was. */
  async enter(name = "") {
    const ticket = await callsApi.join(this.id, name || undefined);
    this.ticket = ticket;
    hideNotice();
    this.session.applyState(ticket.state);
    if (this.phase === "ended") return;
    const may = ticket.state.me?.may ?? { microphone: true, camera: true };
    const local = this.session.local;
    local.microphone = Boolean(this.media.audio) && $("call-join-mic").checked && may.microphone !== false;
    local.camera = Boolean(this.media.video) && $("call-join-camera").checked && may.camera !== false;
    this.controls.applyLocalTracks();
    this.showRoom();
    await this.connectMedia();
  }

  // Media -----------------------------------------------------------------------------------------------------------

  async connectMedia() {
    this.room?.close();
    this.stage.clear();
    setStatus(t("connecting"));
    await this.reopenEndedTracks();
    const room = new Room(this.ticket, {
      onRemote: (/** @type {any} */ feed) => {
        this.stage.show(feed);
        this.stage.update(this.session.state);
      },
      onRemoteGone: (/** @type {number} */ feedId) => this.stage.remove(feedId),
      onFailed: (/** @type {string} */ key) => room === this.room && this.mediaFailed(key),
      onKicked: () => this.session.refresh(),
      onRoomGone: () => this.session.refresh(),
      onTalking: (/** @type {number} */ feedId, /** @type {boolean} */ talking) => this.stage.setTalking(feedId, talking),
    });
    this.room = room;
    try {
      await room.connect(this.media.stream.getTracks());
    } catch {
      if (room === this.room) this.mediaFailed("media_failed");
      return;
    }
    setStatus("");
    try {
      this.session.lastLocalChange = performance.now(); // what the page joined with is news to the server until a beat
      this.session.applyState(await callsApi.joined(this.id, this.ticket.feed_id));
      this.session.present = true;
    } catch (error) {
      toast(/** @type {Error} */ (error).message);
      return;
    }
    this.session.beat();
  }

  /** janus.js stops the tracks it was given when its PeerConnection goes away (1.1.2 has no "external stream"): a
   * new connection needs the camera and microphone opened again, on the same devices, on or off as they were. */
  async reopenEndedTracks() {
    if (!this.media.stream.getTracks().some((track) => track.readyState === "ended")) return;
    await this.media.open({ cameraId: this.media.deviceId("video"), micId: this.media.deviceId("audio") });
    this.controls.applyLocalTracks();
    $("call-self").srcObject = this.media.stream;
  }

  /** @param {string} key */
  mediaFailed(key) {
    if (this.phase !== "room") return;
    setStatus("");
    notice(t(key), { retry: true });
  }

  /** «Переподключиться»: a new ticket (the old room token is spent) and a new Janus session. */
  async reconnect() {
    if (this.reconnecting) return;
    this.reconnecting = true;
    this.session.present = false;
    hideNotice();
    this.room?.close();
    this.room = null;
    try {
      this.ticket = await callsApi.join(this.id, $("call-guest-name")?.value.trim() || undefined);
      this.session.applyState(this.ticket.state);
      if (this.phase === "room") await this.connectMedia();
    } catch (error) {
      notice(/** @type {Error} */ (error).message ?? t("media_failed"), { retry: true });
    } finally {
      this.reconnecting = false;
    }
  }

  // The room --------------------------------------------------------------------------------------------------------

  showRoom() {
    this.session.phase = "room";
    this.root.dataset.state = "room";
    $("call-prejoin").hidden = true;
    $("call-room").hidden = false;
    $("call-self").srcObject = this.media.stream;
    $("call-self").play().catch(() => {});
    this.stopMeter?.();
    this.session.startRealtime(this.boot);
    this.session.startHeartbeat(this.boot.poll_seconds);
    this.controls.render();
    this.recording.render();
  }

  // Leaving and the end -------------------------------------------------------------------------------------------------

  async leave() {
    const wasIn = this.phase === "room";
    this.teardown();
    this.finish("left");
    if (wasIn) await callsApi.leave(this.id).catch(() => {});
  }

  teardown() {
    this.session.stopHeartbeat();
    this.controls.stopScreen({ report: false });
    this.recording.stopBoard();
    this.room?.close();
    this.room = null;
    this.stage.clear();
    this.board.destroy();
    this.media.stop();
    this.stopMeter?.();
  }

  /** The closing screen: «Звонок завершён», «Организатор удалил вас из звонка», or «Вы вышли из звонка».
   * @param {string} reason */
  finish(reason) {
    if (this.phase === "ended" && reason !== "left") return;
    if (this.phase !== "ended") this.teardown();
    this.session.phase = "ended";
    this.root.dataset.state = "ended";
    this.root.dataset.minimized = "false";
    $("call-prejoin").hidden = true;
    $("call-room").hidden = true;
    hideNotice();
    /** @type {Record<string, string>} */
    const titles = { ended: t("ended"), removed: t("removed"), left: t("left") };
    $("call-ended-title").textContent = titles[reason] ?? t("ended");
    $("call-ended").dataset.reason = reason;
    $("call-ended").hidden = false;
    $("call-rejoin").hidden = reason !== "left";
    this.session.stopRealtime();
  }

  // Wiring ----------------------------------------------------------------------------------------------------------

  bind() {
    /** @param {string} id @param {string} type @param {(event: any) => void} handler */
    const on = (id, type, handler) => $(id)?.addEventListener(type, handler);
    on("call-join-form", "submit", (event) => this.join(event));
    on("call-join-mic", "change", () => this.showPreview());
    on("call-join-camera", "change", () => this.showPreview());
    this.controls.bind(on);
    this.recording.bind(on);
    this.panels.bind(on);
    this.board.bind(on);
    this.boardPanel.bind(on);
    on("call-board-settings", "click", () => {
      this.panels.toggle("call-board-panel", "call-board-settings");
      this.boardPanel.render();
    });
    on("call-leave", "click", () => this.leave());
    on("call-notice-retry", "click", () => this.reconnect());
    on("call-rejoin", "click", () => location.reload());
    on("call-copy-link", "click", async () => {
      try {
        await navigator.clipboard.writeText($("call-link").value);
        toast(t("link_copied"));
      } catch {
        $("call-link").select();
      }
    });
    window.addEventListener("pagehide", () => {
      if (this.phase === "room") callsApi.leave(this.id).catch(() => {});
    });
  }
}

const root = document.getElementById("call-app");
const bootData = document.getElementById("call-boot");
if (root && bootData) {
  const page = new CallPage(root, JSON.parse(bootData.textContent ?? "{}"));
  window.partaCall = {
    page,
    timing: page.timing,
    board: page.board,
    inboundStats: () => page.room?.inboundStats() ?? Promise.resolve([]),
  };
  page.start();
}
