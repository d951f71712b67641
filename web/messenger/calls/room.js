/**
 * The media side of a call: one Janus session (janus.js over HTTP long-polling, the global `Janus` from the Debian
 * package), one VideoRoom publisher handle for the camera and microphone, one more for a screen share, one more for the
 * board while the call is recorded (the organizer's page; issue 11), and one subscriber handle per remote feed.
 *
 * Everything comes from the messenger's join ticket (docs/calls.md): the Janus API token, the room, the feed id the
 * messenger assigned and a single-use room token; `display` is JSON {p: participant id, k: "camera"|"screen"|"board"},
 * which is how a remote feed is matched to a person. A "board" feed is for Janus's recording only: the others see the
 * board itself, so nobody subscribes to it. ICE servers are the ticket's own list — never janus.js's public STUN.
 *
 * When ICE fails nothing errors, so every wait here has a timeout and ends in `hooks.onFailed`.
 */
/* global Janus */

const SESSION_TIMEOUT = 10_000; // ms to create the Janus session
const REQUEST_TIMEOUT = 10_000; // ms for a VideoRoom request's answer
const MEDIA_TIMEOUT = 20_000; // ms from the offer until the PeerConnection is up

/** @type {Promise<void> | null} */
let initialized = null;

function initJanus() {
  initialized ??= new Promise((resolve) => Janus.init({ debug: false, callback: resolve }));
  return initialized;
}

function timeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function parseDisplay(display) {
  try {
    const parsed = JSON.parse(display);
    const kind = parsed.k === "screen" || parsed.k === "board" ? parsed.k : "camera";
    return { participant: parsed.p ?? null, kind };
  } catch {
    return { participant: null, kind: "camera" };
  }
}

/** A janus.js plugin handle with a way to wait for a VideoRoom event. */
class Handle {
  constructor(plugin) {
    this.plugin = plugin;
    this.waiters = new Set();
    this.up = false; // the PeerConnection has been up (Janus said "webrtcup")
    this.mediaUp = new Promise((resolve) => {
      this.resolveMedia = resolve;
    });
  }

  get pc() {
    return this.plugin?.webrtcStuff?.pc ?? null;
  }

  /** Sends a request and resolves with the first event that `test` accepts; a VideoRoom error rejects. */
  request(message, test, ms = REQUEST_TIMEOUT) {
    let waiter;
    const answer = new Promise((resolve, reject) => {
      waiter = { test, resolve, reject };
      this.waiters.add(waiter);
      this.plugin.send({ message, error: (error) => reject(new Error(String(error))) });
    });
    return timeout(answer, ms, message.request).finally(() => this.waiters.delete(waiter));
  }

  deliver(message) {
    for (const waiter of this.waiters) {
      if (message.error_code) waiter.reject(Object.assign(new Error(message.error), { code: message.error_code }));
      else if (waiter.test(message)) waiter.resolve(message);
    }
  }

  /** Offers the given local tracks (send only) and sends them with `configure`; resolves once the answer is in. */
  /** @param {MediaStreamTrack[]} tracks @param {Record<string, unknown>} [extra] @returns {Promise<void>} */
  publish(tracks, extra = {}) {
    return new Promise((resolve, reject) => {
      this.plugin.createOffer({
        tracks: tracks.map((track) => ({ type: track.kind, capture: track, recv: false })),
        success: (jsep) => {
          this.plugin.send({ message: { request: "configure", ...extra }, jsep });
          resolve();
        },
        error: (error) => reject(new Error(String(error?.message ?? error))),
      });
    });
  }

  /** Puts another track where the one of this kind was (a device switch): no renegotiation. */
  async replace(kind, track) {
    const transceiver = this.pc?.getTransceivers().find((item) => item.receiver.track.kind === kind);
    if (transceiver) await transceiver.sender.replaceTrack(track);
  }

  detach() {
    try {
      this.plugin.detach();
    } catch {
      // the session is gone already
    }
  }
}

export class Room {
  /**
   * @param {object} ticket  the JoinTicket
   * @param {object} hooks   onRemote(feed), onRemoteGone(feedId), onFailed(message key), onKicked(), onRoomGone(),
   *                         onTalking(feedId, talking)
   */
  constructor(ticket, hooks) {
    this.ticket = ticket;
    this.hooks = hooks;
    this.feeds = new Map(); // remote feed id → {feed, participant, kind, stream, handle}
    this.janus = null;
    this.publisher = null;
    this.screen = null;
    /** @type {Handle | null} the board's canvas as a feed, while recording */
    this.board = null;
    this.privateId = null;
    this.closed = false;
  }

  /** Session, publisher join (the messenger's feed id and room token), then publishing `tracks`. */
  async connect(tracks) {
    await initJanus();
    this.janus = await timeout(this.#session(), SESSION_TIMEOUT, "session");
    this.publisher = await this.#attach({ own: true });
    const joined = await this.publisher.request(
      {
        request: "join",
        ptype: "publisher",
        room: this.ticket.room_id,
        id: this.ticket.feed_id,
        display: this.ticket.display,
        token: this.ticket.room_token,
      },
      (message) => message.videoroom === "joined",
    );
    this.privateId = joined.private_id ?? null;
    for (const publisher of joined.publishers ?? []) this.#subscribe(publisher);
    if (tracks.length) {
      await this.publisher.publish(tracks, { audio: tracks.some((t) => t.kind === "audio"), video: true });
      timeout(this.publisher.mediaUp, MEDIA_TIMEOUT, "media").catch(() => this.#fail("media_failed"));
    }
    return joined;
  }

  #session() {
    return new Promise((resolve, reject) => {
      let ready = false;
      const janus = new Janus({
        server: this.ticket.janus_url,
        token: this.ticket.janus_token,
        iceServers: this.ticket.ice_servers ?? [], // never janus.js's default public STUN server
        success: () => {
          ready = true;
          resolve(janus);
        },
        error: (error) => {
          if (ready) this.#fail("media_lost");
          else reject(new Error(String(error)));
        },
      });
    });
  }

  /** @param {{own?: boolean, feed?: any}} [options] @returns {Promise<Handle>} */
  #attach({ own = false, feed = null } = {}) {
    return new Promise((resolve, reject) => {
      let handle = null;
      this.janus.attach({
        plugin: "janus.plugin.videoroom",
        success: (plugin) => {
          handle = new Handle(plugin);
          resolve(handle);
        },
        error: (error) => reject(new Error(String(error))),
        iceState: (state) => {
          if (state === "failed" && own) this.#fail("media_failed");
        },
        webrtcState: (up) => {
          if (up && handle) {
            handle.up = true;
            handle.resolveMedia();
          } else if (!up && own) {
            this.#fail(handle?.up ? "media_lost" : "media_failed"); // never up: the connection could not be made
          }
        },
        onmessage: (message, jsep) => this.#message(handle, message, jsep, { own, feed }),
        onremotetrack: (track, mid, on) => feed && on && this.#remoteTrack(feed, track),
      });
    });
  }

  #message(handle, message, jsep, { own, feed }) {
    if (!handle) return;
    handle.deliver(message);
    if (feed) {
      if (jsep) this.#answer(handle, jsep);
      if (message.error_code) this.#drop(feed.feed);
      return;
    }
    if (jsep) handle.plugin.handleRemoteJsep({ jsep });
    if (!own) return; // the screen handle: nothing else to follow there
    if (message.videoroom === "destroyed") this.hooks.onRoomGone();
    if (message.videoroom !== "event") return;
    for (const publisher of message.publishers ?? []) this.#subscribe(publisher);
    if (message.leaving === "ok" && message.reason === "kicked") this.hooks.onKicked();
    for (const gone of [message.unpublished, message.leaving]) {
      if (gone !== undefined && gone !== "ok") this.#drop(gone);
    }
    if (message.videoroom === "talking" || message.videoroom === "stopped-talking") {
      this.hooks.onTalking?.(message.id, message.videoroom === "talking");
    }
  }

  async #subscribe(publisher) {
    const { participant, kind } = parseDisplay(publisher.display);
    if (this.closed || this.feeds.has(publisher.id) || publisher.id === this.ticket.feed_id) return;
    if (participant !== null && participant === this.ticket.participant_id) return; // one's own screen
    if (kind === "board") return; // the board's feed is recorded, not watched
    /** @type {{feed: number, participant: number | null, kind: string, stream: MediaStream, handle: Handle | null}} */
    const feed = { feed: publisher.id, participant, kind, stream: new MediaStream(), handle: null };
    this.feeds.set(publisher.id, feed);
    try {
      feed.handle = await this.#attach({ feed });
      if (this.feeds.get(publisher.id) !== feed) return feed.handle.detach(); // gone meanwhile
      const join = { request: "join", ptype: "subscriber", room: this.ticket.room_id, streams: [{ feed: feed.feed }] };
      if (this.privateId !== null) join.private_id = this.privateId;
      if (this.ticket.room_token) join.token = this.ticket.room_token;
      feed.handle.plugin.send({ message: join });
      this.hooks.onRemote(feed);
    } catch {
      this.feeds.delete(publisher.id);
    }
  }

  #answer(handle, jsep) {
    handle.plugin.createAnswer({
      jsep,
      tracks: [{ type: "data" }], // receive only: audio and video offered are accepted as recvonly
      success: (answer) => handle.plugin.send({ message: { request: "start", room: this.ticket.room_id }, jsep: answer }),
      error: () => this.#fail("media_failed"),
    });
  }

  #remoteTrack(feed, track) {
    for (const old of feed.stream.getTracks()) {
      if (old.kind === track.kind && old !== track) feed.stream.removeTrack(old);
    }
    if (!feed.stream.getTracks().includes(track)) feed.stream.addTrack(track);
    this.hooks.onRemote(feed);
  }

  #drop(feedId) {
    const feed = this.feeds.get(feedId);
    if (!feed) return;
    this.feeds.delete(feedId);
    feed.handle?.detach();
    this.hooks.onRemoteGone(feedId);
  }

  #fail(key) {
    if (this.closed) return;
    this.hooks.onFailed(key);
  }

  /** The screen: a second publisher with the ScreenTicket's feed id and token. */
  async startScreen(screenTicket, track) {
    const handle = await this.#attach();
    this.screen = handle;
    await this.#publishExtra(handle, screenTicket, track, "screen");
  }

  /** The board's canvas (captureStream) as a third publisher while the call is recorded: the ticket of
   * `/board-feed` (the participant's board feed id), video only. */
  async startBoard(boardTicket, track) {
    const handle = await this.#attach();
    this.board = handle;
    await this.#publishExtra(handle, boardTicket, track, "board");
  }

  stopBoard() {
    const handle = this.board;
    this.board = null;
    Room.#unpublish(handle);
  }

  /** @param {Handle} handle @param {{feed_id: number, display: string, room_token: string}} extraTicket
   * @param {MediaStreamTrack} track @param {string} what */
  async #publishExtra(handle, extraTicket, track, what) {
    await handle.request(
      {
        request: "join",
        ptype: "publisher",
        room: this.ticket.room_id,
        id: extraTicket.feed_id,
        display: extraTicket.display,
        token: extraTicket.room_token,
      },
      (message) => message.videoroom === "joined",
    );
    await handle.publish([track], { audio: false, video: true });
    await timeout(handle.mediaUp, MEDIA_TIMEOUT, what);
  }

  stopScreen() {
    const handle = this.screen;
    this.screen = null;
    Room.#unpublish(handle);
  }

  /** @param {Handle | null} handle */
  static #unpublish(handle) {
    if (!handle) return;
    try {
      handle.plugin.send({ message: { request: "unpublish" } });
    } catch {
      // the session is gone already
    }
    handle.detach();
  }

  async replaceTrack(kind, track) {
    await this.publisher?.replace(kind, track);
  }

  /** Inbound RTP of every remote feed (for the browser tests and the bench: docs/calls.md). */
  async inboundStats() {
    const result = [];
    for (const feed of this.feeds.values()) {
      const pc = feed.handle?.pc;
      if (!pc) continue;
      const report = await pc.getStats();
      report.forEach((entry) => {
        if (entry.type !== "inbound-rtp") return;
        result.push({
          feed: feed.feed,
          kind: entry.kind,
          source: feed.kind,
          participant: feed.participant,
          framesDecoded: entry.framesDecoded ?? 0,
          bytesReceived: entry.bytesReceived ?? 0,
          packetsReceived: entry.packetsReceived ?? 0,
        });
      });
    }
    return result;
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    try {
      this.janus?.destroy({ cleanupHandles: true });
    } catch {
      // already gone
    }
    this.feeds.clear();
  }
}
