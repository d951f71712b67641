/**
 * The control bar in the room: microphone, camera, screen sharing, the raised hand, and the device switches. Each
 * button changes what this page has on (`session.local`), the local tracks follow, and a heartbeat tells the server;
 * a refusal (an organizer's «не разрешил») shows as a toast and puts the button back.
 */
import { callsApi } from "../api.js";
import { t } from "../i18n.js";
import { $, toast } from "./dom.js";

/**
 * @typedef {import("./state.js").CallSession} CallSession
 * @typedef {import("../devices.js").LocalMedia} LocalMedia
 * @typedef {import("../room.js").Room} Room
 */

export class Controls {
  /**
   * @param {HTMLElement} root  #call-app
   * @param {CallSession} session
   * @param {LocalMedia} media
   * @param {{room: () => Room | null, devicesChanged: () => Promise<void>}} page
   */
  constructor(root, session, media, page) {
    this.root = root;
    this.session = session;
    this.media = media;
    this.page = page;
    /** @type {MediaStreamTrack | null} */
    this.screenTrack = null;
    /** @type {string | undefined} the camera let go when turned off in the call, opened again when turned on */
    this.cameraId = undefined;
  }

  get local() {
    return this.session.local;
  }

  applyLocalTracks() {
    if (this.media.audio) this.media.audio.enabled = this.local.microphone;
    if (this.media.video) {
      this.media.video.enabled = this.local.camera;
      if (this.session.phase === "room" && !this.local.camera && this.media.video.readyState === "live") {
        // A camera turned off in the call is let go, so its light goes out; turning it on opens it again.
        this.cameraId = this.media.deviceId("video") || this.cameraId;
        this.media.video.stop();
      }
    }
    this.root.classList.toggle("call-self-camera-off", !this.local.camera);
  }

  /** @param {"microphone" | "camera" | "screen"} what @param {boolean} on */
  setLocal(what, on) {
    this.session.setLocal(what, on);
    this.applyLocalTracks();
    this.render();
    this.session.beat();
  }

  toggleMic() {
    if (!this.local.microphone && this.session.state?.me?.may?.microphone === false) return toast(t("mic_not_allowed"));
    if (!this.media.audio) return toast(t("no_microphone"));
    this.setLocal("microphone", !this.local.microphone);
  }

  async toggleCamera() {
    if (!this.local.camera && this.session.state?.me?.may?.camera === false) return toast(t("camera_not_allowed"));
    if (!this.media.video) return toast(t("no_camera"));
    if (!this.local.camera && this.media.video.readyState === "ended") {
      try {
        await this.reopenCamera();
      } catch {
        return toast(t("device_switch_failed"));
      }
    }
    this.setLocal("camera", !this.local.camera);
  }

  /** The camera let go by «Камера» off, opened again (the same device) and put back into the call. */
  async reopenCamera() {
    const track = await this.media.switchDevice("video", this.cameraId);
    track.enabled = true;
    await this.page.room()?.replaceTrack("video", track);
    $("call-self").srcObject = this.media.stream;
  }

  /** The server decides first (its refusal, e.g. «Организатор не разрешил…», is what the toast says), then the
   * browser asks which screen; the click's user activation is still valid after one quick request. */
  async toggleScreen() {
    if (this.local.screen) return this.stopScreen();
    if (!navigator.mediaDevices?.getDisplayMedia) return toast(t("screen_unsupported"));
    let screenTicket;
    try {
      screenTicket = await callsApi.screen(this.session.id);
    } catch (error) {
      toast(/** @type {Error} */ (error).message);
      this.session.refresh();
      return;
    }
    /** @type {MediaStreamTrack} */
    let track;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
      track = stream.getVideoTracks()[0];
    } catch {
      return toast(t("screen_cancelled"));
    }
    try {
      this.screenTrack = track;
      track.addEventListener("ended", () => this.stopScreen());
      this.setLocal("screen", true);
      await /** @type {Room} */ (this.page.room()).startScreen(screenTicket, track); // no room: the catch below
    } catch {
      this.stopScreen();
      toast(t("media_failed"));
    }
  }

  stopScreen({ report = true } = {}) {
    this.page.room()?.stopScreen();
    this.screenTrack?.stop();
    this.screenTrack = null;
    if (!this.local.screen) return;
    if (report) this.setLocal("screen", false);
    else {
      this.local.screen = false;
      this.render();
    }
  }

  async toggleHand() {
    const raise = !this.local.hand;
    this.local.hand = raise;
    this.session.handChangedAt = performance.now();
    this.render();
    await this.session.act(() => callsApi.hand(this.session.id, raise));
  }

  /**
   * Another camera or microphone, before joining or in the call; the new track is on or off as the old one was.
   * @param {"video" | "audio"} kind
   * @param {string} deviceId
   */
  async switchDevice(kind, deviceId) {
    if (!deviceId) return;
    try {
      const track = await this.media.switchDevice(kind, deviceId);
      const inRoom = Boolean(this.page.room());
      if (kind === "video") track.enabled = inRoom ? this.local.camera : $("call-join-camera").checked;
      else track.enabled = inRoom ? this.local.microphone : $("call-join-mic").checked;
      await this.page.room()?.replaceTrack(kind, track);
      $("call-self").srcObject = this.media.stream;
      await this.page.devicesChanged();
    } catch {
      toast(t("device_switch_failed"));
    }
  }

  /** The buttons as `local` and the state's permissions say; the organizer's buttons only for an organizer. */
  render() {
    const state = this.session.state;
    const may = state?.me?.may ?? {};
    const admin = Boolean(state?.me?.is_admin);
    /** @param {string} id @param {boolean} pressed */
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
    for (const element of this.root.querySelectorAll(".call-admin-only")) {
      /** @type {HTMLElement} */ (element).hidden = !admin;
    }
    const hands = state?.hands?.length ?? 0;
    $("call-hands-badge").hidden = hands === 0;
    $("call-hands-badge").textContent = String(hands);
    const me = this.session.me();
    $("call-self-name").textContent = me ? t("you_suffix", { name: me.name }) : t("you");
  }

  /** @param {(id: string, type: string, handler: (event: any) => void) => void} on */
  bind(on) {
    on("call-camera-select", "change", (event) => this.switchDevice("video", event.target.value));
    on("call-room-camera-select", "change", (event) => this.switchDevice("video", event.target.value));
    on("call-mic-select", "change", (event) => this.switchDevice("audio", event.target.value));
    on("call-room-mic-select", "change", (event) => this.switchDevice("audio", event.target.value));
    on("call-toggle-mic", "click", () => this.toggleMic());
    on("call-toggle-camera", "click", () => this.toggleCamera());
    on("call-toggle-screen", "click", () => this.toggleScreen());
    on("call-toggle-hand", "click", () => this.toggleHand());
  }
}
