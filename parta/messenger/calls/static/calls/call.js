/**
 * The call page (/calls/<public_id>/, docs/calls.md): pre-join (camera and microphone preview, devices, «Присоединиться»),
 * then the room — media through Janus (room.js), the call's state from the messenger's API.
 *
 * The state (CallState) is the messenger's: this page reports its microphone / camera / screen with a heartbeat every
 * few seconds (the answer is also the page's poll; guests have no WebSocket), refetches it on "call.updated", and
 * follows it — an organizer's mute turns the local track off, removal and the end of the call close the room.
 * A state fetched before this page's own last change says nothing about that change, so it is not enforced.
 */
import { RealtimeClient } from "../messenger/realtime.js";
import { ApiError, callsApi } from "./api.js";
import { LocalMedia, fillSelect, meter } from "./devices.js";
import { t } from "./i18n.js";
import { PeoplePanel } from "./people.js";
import { Room } from "./room.js";
import { Stage } from "./stage.js";

const TOAST_SHOWN = 6000; // ms
const PHONE = "(max-width: 48rem)";

const $ = (id) => document.getElementById(id);

class CallPage {
  constructor(root, boot) {
    this.root = root;
    this.boot = boot;
    this.id = boot.call.id;
    this.media = new LocalMedia();
    this.state = null;
    this.ticket = null;
    this.room = null;
    this.local = { microphone: false, camera: false, screen: false, hand: false };
    this.screenTrack = null;
    this.lastLocalChange = 0; // performance.now() of this page's last own change (microphone, camera, screen, hand)
    this.syncedAt = -1; // when the server last answered a beat that carried that change
    this.handChangedAt = 0;
    this.present = false; // the messenger has confirmed the join (`/joined`): beats may go
    this.timing = { joinClickedAt: null, firstRemoteFrameAt: null };
    this.stage = new Stage($("call-stage"), { timing: this.timing });
    this.people = new PeoplePanel($("call-people"), $("call-hands"), {
      lowerHand: (person) => this.act(() => callsApi.lowerHand(this.id, person.id)),
      mute: (person, what) => this.act(() => callsApi.mute(this.id, person.id, what)),
      allow: (person, what) =>
        this.act(() => callsApi.permissions(this.id, { participant_id: person.id, [what]: !person.may?.[what] })),
      remove: async (person) => {
        if (await this.confirm(t("remove_confirm", { name: person.name }), t("remove_ok"))) {
          this.act(() => callsApi.remove(this.id, person.id));
        }
      },
    });
    this.bindControls();
  }

  // Pre-join --------------------------------------------------------------------------------------------------------

  async start() {
    if (this.boot.ended) return this.finish("ended");
    if (!this.boot.libraries || typeof window.Janus === "undefined") {
      this.notice(t("libraries_missing"));
      $("call-join").disabled = true;
      return;
    }
    this.refresh({ quiet: true }); // an ended call or a refusal shows before one clicks
    await this.media.open();
    if (this.media.denied && !this.media.stream.getTracks().length) this.notice(t("camera_denied"));
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
    for (const [select, kind, list] of [
      [$("call-camera-select"), "video", cameras],
      [$("call-room-camera-select"), "video", cameras],
      [$("call-mic-select"), "audio", mics],
      [$("call-room-mic-select"), "audio", mics],
    ]) {
      fillSelect(select, list, this.media.deviceId(kind), kind);
    }
  }

  async switchDevice(kind, deviceId) {
    if (!deviceId) return;
    try {
      const track = await this.media.switchDevice(kind, deviceId);
      if (kind === "video") track.enabled = this.room ? this.local.camera : $("call-join-camera").checked;
      else track.enabled = this.room ? this.local.microphone : $("call-join-mic").checked;
      await this.room?.replaceTrack(kind, track);
      $("call-self").srcObject = this.media.stream;
      this.showPreview();
      await this.fillDevices();
    } catch {
      this.toast(t("device_switch_failed"));
    }
  }

  async join(event) {
    event?.preventDefault();
    this.timing.joinClickedAt = performance.now();
    const nameField = $("call-guest-name");
    const name = nameField?.value.trim() ?? "";
    if (nameField && !name) {
      this.notice(t("name_needed"));
      nameField.focus();
      return;
    }
    const button = $("call-join");
    button.disabled = true;
    button.textContent = t("joining");
    try {
      await this.enter(name);
    } catch (error) {
      this.notice(error instanceof ApiError ? error.message : t("media_failed"));
    } finally {
      button.disabled = false;
      button.textContent = t("join");
    }
  }

  /** Ticket, the room on screen, then Janus; a refusal of the ticket leaves the pre-join screen as it was. */
  async enter(name = "") {
    const ticket = await callsApi.join(this.id, name || undefined);
    this.ticket = ticket;
    this.hideNotice();
    this.applyState(ticket.state);
    if (this.phase === "ended") return;
    const may = ticket.state.me?.may ?? { microphone: true, camera: true };
    this.local.microphone = Boolean(this.media.audio) && $("call-join-mic").checked && may.microphone !== false;
    this.local.camera = Boolean(this.media.video) && $("call-join-camera").checked && may.camera !== false;
    this.applyLocalTracks();
    this.showRoom();
    await this.connectMedia();
  }

  async connectMedia() {
    this.room?.close();
    this.stage.clear();
    this.setStatus(t("connecting"));
    await this.reopenEndedTracks();
    const room = new Room(this.ticket, {
      onRemote: (feed) => {
        this.stage.show(feed);
        this.stage.update(this.state);
      },
      onRemoteGone: (feedId) => this.stage.remove(feedId),
      onFailed: (key) => room === this.room && this.mediaFailed(key),
      onKicked: () => this.refresh(),
      onRoomGone: () => this.refresh(),
      onTalking: (feedId, talking) => this.stage.setTalking(feedId, talking),
    });
    this.room = room;
    try {
      await room.connect(this.media.stream.getTracks());
    } catch {
      if (room === this.room) this.mediaFailed("media_failed");
      return;
    }
    this.setStatus("");
    try {
      this.lastLocalChange = performance.now(); // what the page joined with is news to the server until a beat
      this.applyState(await callsApi.joined(this.id, this.ticket.feed_id));
      this.present = true;
    } catch (error) {
      this.toast(error.message);
      return;
    }
    this.beat();
  }

  /** janus.js stops the tracks it was given when its PeerConnection goes away (1.1.2 has no "external stream"): a
   * new connection needs the camera and microphone opened again, on the same devices, on or off as they were. */
  async reopenEndedTracks() {
    if (!this.media.stream.getTracks().some((track) => track.readyState === "ended")) return;
    await this.media.open({ cameraId: this.media.deviceId("video"), micId: this.media.deviceId("audio") });
    this.applyLocalTracks();
    $("call-self").srcObject = this.media.stream;
  }

  mediaFailed(key) {
    if (this.phase !== "room") return;
    this.setStatus("");
    this.notice(t(key), { retry: true });
  }

  /** «Переподключиться»: a new ticket (the old room token is spent) and a new Janus session. */
  async reconnect() {
    if (this.reconnecting) return;
    this.reconnecting = true;
    this.present = false;
    this.hideNotice();
    this.room?.close();
    this.room = null;
    try {
      this.ticket = await callsApi.join(this.id, $("call-guest-name")?.value.trim() || undefined);
      this.applyState(this.ticket.state);
      if (this.phase === "room") await this.connectMedia();
    } catch (error) {
      this.notice(error.message ?? t("media_failed"), { retry: true });
    } finally {
      this.reconnecting = false;
    }
  }

  // The room --------------------------------------------------------------------------------------------------------

  showRoom() {
    this.phase = "room";
    this.root.dataset.state = "room";
    $("call-prejoin").hidden = true;
    $("call-room").hidden = false;
    $("call-self").srcObject = this.media.stream;
    $("call-self").play().catch(() => {});
    this.stopMeter?.();
    this.startRealtime();
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.beat({ poll: true }), this.boot.poll_seconds * 1000);
    this.renderControls();
  }

  applyLocalTracks() {
    if (this.media.audio) this.media.audio.enabled = this.local.microphone;
    if (this.media.video) {
      this.media.video.enabled = this.local.camera;
      if (this.phase === "room" && !this.local.camera && this.media.video.readyState === "live") {
        // A camera turned off in the call is let go, so its light goes out; turning it on opens it again.
        this.cameraId = this.media.deviceId("video") || this.cameraId;
        this.media.video.stop();
      }
    }
    this.root.classList.toggle("call-self-camera-off", !this.local.camera);
  }

  setLocal(what, on) {
    this.local[what] = on;
    this.lastLocalChange = performance.now();
    this.applyLocalTracks();
    this.renderControls();
    this.beat();
  }

  toggleMic() {
    if (!this.local.microphone && this.state?.me?.may?.microphone === false) return this.toast(t("mic_not_allowed"));
    if (!this.media.audio) return this.toast(t("no_microphone"));
    this.setLocal("microphone", !this.local.microphone);
  }

  async toggleCamera() {
    if (!this.local.camera && this.state?.me?.may?.camera === false) return this.toast(t("camera_not_allowed"));
    if (!this.media.video) return this.toast(t("no_camera"));
    if (!this.local.camera && this.media.video.readyState === "ended") {
      try {
        await this.reopenCamera();
      } catch {
        return this.toast(t("device_switch_failed"));
      }
    }
    this.setLocal("camera", !this.local.camera);
  }

  /** The camera let go by «Камера» off, opened again (the same device) and put back into the call. */
  async reopenCamera() {
    const track = await this.media.switchDevice("video", this.cameraId);
    track.enabled = true;
    await this.room?.replaceTrack("video", track);
    $("call-self").srcObject = this.media.stream;
  }

  /** The server decides first (its refusal, e.g. «Организатор не разрешил…», is what the toast says), then the
   * browser asks which screen; the click's user activation is still valid after one quick request. */
  async toggleScreen() {
    if (this.local.screen) return this.stopScreen();
    if (!navigator.mediaDevices?.getDisplayMedia) return this.toast(t("screen_unsupported"));
    let screenTicket;
    try {
      screenTicket = await callsApi.screen(this.id);
    } catch (error) {
      this.toast(error.message);
      this.refresh();
      return;
    }
    let track;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
      track = stream.getVideoTracks()[0];
    } catch {
      return this.toast(t("screen_cancelled"));
    }
    try {
      this.screenTrack = track;
      track.addEventListener("ended", () => this.stopScreen());
      this.setLocal("screen", true);
      await this.room.startScreen(screenTicket, track);
    } catch {
      this.stopScreen();
      this.toast(t("media_failed"));
    }
  }

  stopScreen({ report = true } = {}) {
    this.room?.stopScreen();
    this.screenTrack?.stop();
    this.screenTrack = null;
    if (!this.local.screen) return;
    if (report) this.setLocal("screen", false);
    else {
      this.local.screen = false;
      this.renderControls();
    }
  }

  async toggleHand() {
    const raise = !this.local.hand;
    this.local.hand = raise;
    this.handChangedAt = performance.now();
    this.renderControls();
    await this.act(() => callsApi.hand(this.id, raise));
  }

  /**
   * On every change, and every few seconds with `poll`: what this page has on, and (in the answer) the call's state.
   * The server takes "on" in a beat as turning it on, so a periodic beat first fetches the state: an organizer's mute
   * it has not seen yet must not be undone by the next beat (guests have no WebSocket to hear of it sooner).
   */
  async beat({ poll = false } = {}) {
    if (this.phase !== "room" || !this.present) return;
    if (this.beating) {
      this.beatAgain = true;
      return;
    }
    this.beating = true;
    try {
      if (poll) await this.refresh();
      if (this.phase === "room") await this.#sendBeat();
    } finally {
      this.beating = false;
      if (this.beatAgain && this.phase === "room") {
        this.beatAgain = false;
        this.beat();
      }
    }
  }

  async #sendBeat() {
    const sentAt = performance.now();
    const { microphone, camera, screen } = this.local;
    try {
      // The organizer's mutes this page has followed: a heartbeat with an older number cannot undo a newer mute.
      const moderation_seq = this.moderationSeq ?? null;
      const state = await callsApi.heartbeat(this.id, { microphone, camera, screen, moderation_seq });
      if (sentAt > this.lastLocalChange) this.syncedAt = performance.now();
      this.applyState(state, sentAt);
    } catch (error) {
      if (!(error instanceof ApiError)) return;
      const refused = { microphone_not_allowed: "microphone", camera_not_allowed: "camera", screen_not_allowed: "screen" };
      if (error.code === "not_joined") return this.reconnect();
      if (refused[error.code]) {
        if (refused[error.code] === "screen") this.stopScreen({ report: false });
        this.local[refused[error.code]] = false;
        this.applyLocalTracks();
        this.renderControls();
        this.toast(error.message);
        this.lastLocalChange = performance.now();
        this.beatAgain = true;
      } else if (error.status >= 400 && error.status < 500) {
        await this.refresh();
      }
    }
  }

  async refresh({ quiet = false } = {}) {
    const sentAt = performance.now();
    try {
      this.applyState(await callsApi.state(this.id), sentAt);
    } catch (error) {
      if (quiet) return;
      if (error instanceof ApiError && (error.status === 403 || error.status === 404)) this.finish("removed");
    }
  }

  /** Runs an API action that answers with the CallState; a refusal shows as a toast. */
  async act(action) {
    const sentAt = performance.now();
    try {
      this.applyState(await action(), sentAt);
    } catch (error) {
      this.toast(error.message);
    }
  }

  applyState(state, sentAt = performance.now()) {
    if (!state) return;
    this.state = state;
    if (state.status === "ended") return this.finish("ended");
    if (state.me?.removed) return this.finish("removed");
    if (this.phase === "room") {
      const me = state.participants.find((person) => person.id === state.me?.participant_id);
      // Only a state fetched after the server had this page's latest report can say the organizer turned it off.
      const current = this.syncedAt > this.lastLocalChange && sentAt >= this.syncedAt;
      if (me && current) {
        this.follow(me, state.me.may ?? {});
        this.moderationSeq = state.me.moderation_seq;
      }
      if (me && sentAt > this.handChangedAt) this.followHand(me);
    }
    this.stage.update(state);
    this.people.render(state);
    this.renderControls();
  }

  /** The organizer's mutes, withdrawn permissions and lowered hands, as the state says. */
  follow(me, may) {
    if (this.local.microphone && (!me.microphone || may.microphone === false)) {
      this.local.microphone = false;
      this.applyLocalTracks();
      this.toast(may.microphone === false ? t("mic_not_allowed") : t("muted_mic"));
    }
    if (this.local.camera && (!me.camera || may.camera === false)) {
      this.local.camera = false;
      this.applyLocalTracks();
      this.toast(may.camera === false ? t("camera_not_allowed") : t("muted_camera"));
    }
    if (this.local.screen && (!me.screen || may.screen === false)) {
      this.stopScreen({ report: false });
      this.toast(t("stopped_screen"));
    }
  }

  followHand(me) {
    const raised = Boolean(me.hand_raised_at);
    if (this.local.hand && !raised) this.toast(t("hand_lowered"));
    this.local.hand = raised;
  }

  renderControls() {
    const may = this.state?.me?.may ?? {};
    const admin = Boolean(this.state?.me?.is_admin);
    const set = (id, pressed, allowed = true) => {
      const element = $(id);
      element.setAttribute("aria-pressed", String(pressed));
      element.classList.toggle("call-tool-off", !pressed);
      element.classList.toggle("call-tool-forbidden", !allowed);
    };
    set("call-toggle-mic", this.local.microphone, may.microphone !== false);
    set("call-toggle-camera", this.local.camera, may.camera !== false);
    set("call-toggle-screen", this.local.screen, may.screen !== false);
    $("call-toggle-hand").setAttribute("aria-pressed", String(this.local.hand));
    for (const element of this.root.querySelectorAll(".call-admin-only")) element.hidden = !admin;
    const hands = this.state?.hands?.length ?? 0;
    $("call-hands-badge").hidden = hands === 0;
    $("call-hands-badge").textContent = String(hands);
    const me = this.state?.participants.find((person) => person.id === this.state?.me?.participant_id);
    $("call-self-name").textContent = me ? t("you_suffix", { name: me.name }) : t("you");
  }

  // Panels, layout, minimizing ----------------------------------------------------------------------------------------

  togglePanel(panelId, buttonId) {
    const panel = $(panelId);
    const open = panel.hidden;
    for (const other of this.root.querySelectorAll(".call-panel")) other.hidden = true;
    for (const id of ["call-open-chat", "call-open-participants", "call-settings"]) {
      $(id)?.setAttribute("aria-expanded", "false");
    }
    panel.hidden = !open;
    $("call-side").hidden = !open;
    $(buttonId)?.setAttribute("aria-expanded", String(open));
    if (open && panelId === "call-chat-panel") this.loadChat();
    if (open) panel.querySelector("button, a, select, iframe")?.focus();
  }

  closePanels() {
    for (const panel of this.root.querySelectorAll(".call-panel")) panel.hidden = true;
    $("call-side").hidden = true;
    for (const id of ["call-open-chat", "call-open-participants", "call-settings"]) {
      $(id)?.setAttribute("aria-expanded", "false");
    }
  }

  loadChat() {
    const url = this.state?.chat_url ?? this.boot.chat_url;
    if (!url) return;
    const frame = $("call-chat-frame");
    if (!frame.getAttribute("src")) frame.src = `${url}?embed=1`;
    $("call-chat-newtab").href = url;
  }

  toggleLayout() {
    const layout = this.root.dataset.layout === "grid" ? "speaker" : "grid";
    this.root.dataset.layout = layout;
    this.stage.setLayout(layout);
    $("call-layout-label").textContent = layout === "grid" ? t("layout_grid") : t("layout_speaker");
  }

  /** «Свернуть»: the call shrinks to a small window in the corner; the chat (for members) takes the page. */
  minimize(on) {
    this.root.dataset.minimized = String(on);
    $("call-minimized-bar").hidden = !on;
    if (on && this.boot.chat_url && $("call-chat-panel").hidden) this.togglePanel("call-chat-panel", "call-open-chat");
    if (on) $("call-expand").focus();
    else $("call-minimize").focus();
  }

  // Organizer -------------------------------------------------------------------------------------------------------

  openPermissions() {
    const everyone = this.state?.everyone ?? {};
    $("call-perm-screen").checked = Boolean(everyone.screen);
    $("call-perm-microphone").checked = Boolean(everyone.microphone);
    $("call-perm-camera").checked = Boolean(everyone.camera);
    $("call-perm-guests").checked = Boolean(this.state?.allow_anonymous);
    $("call-permissions").showModal();
  }

  async savePermissions() {
    if ($("call-permissions").returnValue !== "save") return;
    const wanted = {
      screen: $("call-perm-screen").checked,
      microphone: $("call-perm-microphone").checked,
      camera: $("call-perm-camera").checked,
    };
    await this.act(() => callsApi.permissions(this.id, wanted));
    const guests = $("call-perm-guests").checked;
    if (guests !== Boolean(this.state?.allow_anonymous)) {
      await this.act(() => callsApi.settings(this.id, { allow_anonymous: guests }));
    }
    this.toast(t("saved"));
  }

  async endForEveryone() {
    if (await this.confirm(t("end_confirm"), t("end_ok"))) await this.act(() => callsApi.end(this.id));
  }

  confirm(text, okLabel) {
    const dialog = $("call-confirm");
    $("call-confirm-text").textContent = text;
    $("call-confirm-ok").textContent = okLabel;
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    });
  }

  // Leaving and the end -------------------------------------------------------------------------------------------------

  async leave() {
    const wasIn = this.phase === "room";
    this.teardown();
    this.finish("left");
    if (wasIn) await callsApi.leave(this.id).catch(() => {});
  }

  teardown() {
    clearInterval(this.heartbeatTimer);
    this.stopScreen({ report: false });
    this.room?.close();
    this.room = null;
    this.stage.clear();
    this.media.stop();
    this.stopMeter?.();
  }

  /** The closing screen: «Звонок завершён», «Организатор удалил вас из звонка», or «Вы вышли из звонка». */
  finish(reason) {
    if (this.phase === "ended" && reason !== "left") return;
    if (this.phase !== "ended") this.teardown();
    this.phase = "ended";
    this.root.dataset.state = "ended";
    this.root.dataset.minimized = "false";
    $("call-prejoin").hidden = true;
    $("call-room").hidden = true;
    this.hideNotice();
    const title = { ended: t("ended"), removed: t("removed"), left: t("left") }[reason] ?? t("ended");
    $("call-ended-title").textContent = title;
    $("call-ended").dataset.reason = reason;
    $("call-ended").hidden = false;
    $("call-rejoin").hidden = reason !== "left";
    this.live?.stop();
  }

  // Real time -------------------------------------------------------------------------------------------------------

  startRealtime() {
    if (!this.boot.me || this.live) return;
    this.live = new RealtimeClient({ profileId: this.boot.me.id, after: this.boot.after, storage: null });
    const mine = (payload) =>
      payload && [this.boot.call.id, String(this.boot.call.pk)].includes(String(payload.call_id));
    const later = () => {
      clearTimeout(this.refreshTimer); // a burst of changes: one refetch
      this.refreshTimer = setTimeout(() => this.refresh(), 150);
    };
    for (const type of ["call.updated", "call.ended", "call.removed"]) {
      this.live.on(type, (payload) => mine(payload) && later());
    }
    this.live.on("reset", later);
    this.live.start();
  }

  // Messages --------------------------------------------------------------------------------------------------------

  notice(text, { retry = false } = {}) {
    $("call-notice-text").textContent = text;
    $("call-notice-retry").hidden = !retry;
    $("call-notice").hidden = false;
  }

  hideNotice() {
    $("call-notice").hidden = true;
  }

  setStatus(text) {
    $("call-status").textContent = text;
  }

  toast(text) {
    const toast = $("call-toast");
    toast.textContent = text;
    toast.classList.add("call-toast-shown");
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => toast.classList.remove("call-toast-shown"), TOAST_SHOWN);
  }

  // Wiring ----------------------------------------------------------------------------------------------------------

  bindControls() {
    const on = (id, type, handler) => $(id)?.addEventListener(type, handler);
    on("call-join-form", "submit", (event) => this.join(event));
    on("call-join-mic", "change", () => this.showPreview());
    on("call-join-camera", "change", () => this.showPreview());
    on("call-camera-select", "change", (event) => this.switchDevice("video", event.target.value));
    on("call-room-camera-select", "change", (event) => this.switchDevice("video", event.target.value));
    on("call-mic-select", "change", (event) => this.switchDevice("audio", event.target.value));
    on("call-room-mic-select", "change", (event) => this.switchDevice("audio", event.target.value));
    on("call-toggle-mic", "click", () => this.toggleMic());
    on("call-toggle-camera", "click", () => this.toggleCamera());
    on("call-toggle-screen", "click", () => this.toggleScreen());
    on("call-toggle-hand", "click", () => this.toggleHand());
    on("call-open-chat", "click", () => {
      if (matchMedia(PHONE).matches && !this.boot.chat_url) return;
      this.togglePanel("call-chat-panel", "call-open-chat");
    });
    on("call-open-participants", "click", () => this.togglePanel("call-participants", "call-open-participants"));
    on("call-settings", "click", () => this.togglePanel("call-settings-panel", "call-settings"));
    on("call-layout", "click", () => this.toggleLayout());
    on("call-minimize", "click", () => this.minimize(true));
    on("call-expand", "click", () => this.minimize(false));
    on("call-leave", "click", () => this.leave());
    on("call-end", "click", () => this.endForEveryone());
    on("call-permissions-open", "click", () => this.openPermissions());
    on("call-permissions", "close", () => this.savePermissions());
    on("call-notice-retry", "click", () => this.reconnect());
    on("call-rejoin", "click", () => location.reload());
    on("call-copy-link", "click", async () => {
      try {
        await navigator.clipboard.writeText($("call-link").value);
        this.toast(t("link_copied"));
      } catch {
        $("call-link").select();
      }
    });
    for (const close of this.root.querySelectorAll("[data-close-panel]")) {
      close.addEventListener("click", () => this.closePanels());
    }
    this.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("call-side").hidden) this.closePanels();
    });
    window.addEventListener("pagehide", () => {
      if (this.phase === "room") callsApi.leave(this.id).catch(() => {});
    });
  }
}

const root = document.getElementById("call-app");
if (root) {
  const page = new CallPage(root, JSON.parse(document.getElementById("call-boot").textContent));
  window.partaCall = {
    page,
    timing: page.timing,
    inboundStats: () => page.room?.inboundStats() ?? Promise.resolve([]),
  };
  page.start();
}
