/**
 * The call's state and its transitions: the page's phase (pre-join → room → ended), the CallState the messenger
 * last sent, what this page has on (microphone, camera, screen, hand), and keeping the two in step.
 *
 * The state is the messenger's: this page reports its microphone / camera / screen with a heartbeat every few seconds
 * (the answer is also the page's poll; guests have no WebSocket), refetches it on "call.updated", and follows it — an
 * organizer's mute turns the local track off, removal and the end of the call close the room. A state fetched before
 * this page's own last change says nothing about that change, so it is not enforced.
 */
import { RealtimeClient } from "../../realtime.js";
import { ApiError, callsApi } from "../api.js";
import { t } from "../i18n.js";
import { toast } from "./dom.js";

/** @typedef {"microphone" | "camera" | "screen"} Medium */
/** @typedef {{microphone?: boolean, camera?: boolean, screen?: boolean}} Permissions */
/**
 * @typedef {object} Participant
 * @property {number} id
 * @property {number | null} [profile_id]  null: a guest
 * @property {string} name
 * @property {boolean} [is_admin]
 * @property {boolean} microphone
 * @property {boolean} camera
 * @property {boolean} screen
 * @property {string | null} [hand_raised_at]
 * @property {Permissions} [may]
 * @property {boolean | null} [may_record]  null: as the default (only the organizer records)
 */
/**
 * The call's recording (issue 11): on while someone has pressed «Запись» and not stopped it.
 * @typedef {object} RecordingState
 * @property {boolean} active
 * @property {string | null} [started_at]
 * @property {string | null} [started_by_name]
 * @property {boolean} [catch_up]  the catch-up pack goes to the absent students after the lesson
 */
/**
 * The messenger's CallState (docs/calls.md), the parts this page reads.
 * @typedef {object} CallState
 * @property {string} status
 * @property {string} [kind]
 * @property {Participant[]} participants
 * @property {number[]} [hands]
 * @property {Permissions} [everyone]
 * @property {boolean} [allow_anonymous]
 * @property {string | null} [chat_url]
 * @property {{participant_id: number, is_admin?: boolean, removed?: boolean, may?: Permissions, moderation_seq?: number,
 *             may_record?: boolean} | null} [me]
 * @property {RecordingState | null} [recording]
 * @property {boolean} [recording_active]  the state before joining says only this
 */
/**
 * What the rest of the page does when the state says so.
 * @typedef {object} SessionHooks
 * @property {(reason: string) => void} finish   the call ended, this person was removed
 * @property {() => void} reconnect               the server no longer has this page in the call
 * @property {(state: CallState) => void} render  show the new state (stage, participants, control bar)
 * @property {() => void} renderControls          show the control bar again (after a change of `local`)
 * @property {() => void} applyLocalTracks        turn the local tracks on or off as `local` says
 * @property {(options: {report: boolean}) => void} stopScreen
 */

export class CallSession {
  /**
   * @param {string} id  the call's public id
   * @param {SessionHooks} hooks
   */
  constructor(id, hooks) {
    this.id = id;
    this.hooks = hooks;
    /** @type {"prejoin" | "room" | "ended"} */
    this.phase = "prejoin";
    /** @type {CallState | null} */
    this.state = null;
    this.local = { microphone: false, camera: false, screen: false, hand: false };
    this.lastLocalChange = 0; // performance.now() of this page's last own change (microphone, camera, screen, hand)
    this.syncedAt = -1; // when the server last answered a beat that carried that change
    this.handChangedAt = 0;
    this.present = false; // the messenger has confirmed the join (`/joined`): beats may go
    /** @type {number | null | undefined} */
    this.moderationSeq = undefined;
    this.beating = false;
    this.beatAgain = false;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.heartbeatTimer = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.refreshTimer = undefined;
    /** @type {RealtimeClient | null} */
    this.live = null;
  }

  /** The participant this page is, in the last state. */
  me() {
    return this.state?.participants.find((person) => person.id === this.state?.me?.participant_id);
  }

  /** @param {"microphone" | "camera" | "screen" | "hand"} what @param {boolean} on */
  setLocal(what, on) {
    this.local[what] = on;
    this.lastLocalChange = performance.now();
  }

  /** @param {number} seconds */
  startHeartbeat(seconds) {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.beat({ poll: true }), seconds * 1000);
  }

  stopHeartbeat() {
    clearInterval(this.heartbeatTimer);
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
      /** @type {Record<string, Medium>} */
      const refused = { microphone_not_allowed: "microphone", camera_not_allowed: "camera", screen_not_allowed: "screen" };
      if (error.code === "not_joined") return this.hooks.reconnect();
      const medium = refused[error.code];
      if (medium) {
        if (medium === "screen") this.hooks.stopScreen({ report: false });
        this.local[medium] = false;
        this.hooks.applyLocalTracks();
        this.hooks.renderControls();
        toast(error.message);
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
      if (error instanceof ApiError && (error.status === 403 || error.status === 404)) this.hooks.finish("removed");
    }
  }

  /**
   * Runs an API action that answers with the CallState; a refusal shows as a toast.
   * @param {() => Promise<CallState>} action
   */
  async act(action) {
    const sentAt = performance.now();
    try {
      this.applyState(await action(), sentAt);
    } catch (error) {
      toast(/** @type {Error} */ (error).message);
    }
  }

  /**
   * @param {CallState | null | undefined} state
   * @param {number} [sentAt]  when the request that brought it was sent
   */
  applyState(state, sentAt = performance.now()) {
    if (!state) return;
    this.state = state;
    if (state.status === "ended") return this.hooks.finish("ended");
    if (state.me?.removed) return this.hooks.finish("removed");
    if (this.phase === "room" && state.me) {
      const me = this.me();
      // Only a state fetched after the server had this page's latest report can say the organizer turned it off.
      const current = this.syncedAt > this.lastLocalChange && sentAt >= this.syncedAt;
      if (me && current) {
        this.#follow(me, state.me.may ?? {});
        this.moderationSeq = state.me.moderation_seq;
      }
      if (me && sentAt > this.handChangedAt) this.#followHand(me);
    }
    this.hooks.render(state);
  }

  /**
   * The organizer's mutes, withdrawn permissions and lowered hands, as the state says.
   * @param {Participant} me
   * @param {Permissions} may
   */
  #follow(me, may) {
    if (this.local.microphone && (!me.microphone || may.microphone === false)) {
      this.local.microphone = false;
      this.hooks.applyLocalTracks();
      toast(may.microphone === false ? t("mic_not_allowed") : t("muted_mic"));
    }
    if (this.local.camera && (!me.camera || may.camera === false)) {
      this.local.camera = false;
      this.hooks.applyLocalTracks();
      toast(may.camera === false ? t("camera_not_allowed") : t("muted_camera"));
    }
    if (this.local.screen && (!me.screen || may.screen === false)) {
      this.hooks.stopScreen({ report: false });
      toast(t("stopped_screen"));
    }
  }

  /** @param {Participant} me */
  #followHand(me) {
    const raised = Boolean(me.hand_raised_at);
    if (this.local.hand && !raised) toast(t("hand_lowered"));
    this.local.hand = raised;
  }

  /**
   * Live changes for a signed-in person: "call.updated", "call.ended", "call.removed" of this call refetch the state.
   * @param {{me: {id: number} | null, after: number, call: {id: string, pk: number}}} boot
   */
  startRealtime(boot) {
    if (!boot.me || this.live) return;
    this.live = new RealtimeClient({ profileId: boot.me.id, after: boot.after, storage: null });
    /** @param {{call_id?: unknown} | null | undefined} payload */
    const mine = (payload) => payload && [boot.call.id, String(boot.call.pk)].includes(String(payload.call_id));
    const later = () => {
      clearTimeout(this.refreshTimer); // a burst of changes: one refetch
      this.refreshTimer = setTimeout(() => this.refresh(), 150);
    };
    for (const type of ["call.updated", "call.ended", "call.removed"]) {
      this.live.on(type, (/** @type {any} */ payload) => mine(payload) && later());
    }
    this.live.on("reset", later);
    this.live.start();
  }

  stopRealtime() {
    this.live?.stop();
  }
}
