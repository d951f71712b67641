/**
 * Parta real-time client: one WebSocket to /ws/, resumed after every reconnect from the last event seen, so the page
 * gets every event once and in order (protocol: docs/realtime-protocol.md). Plain ES module, no dependencies.
 *
 *   import { RealtimeClient } from "/static/messenger/realtime.js";
 *
 *   const live = new RealtimeClient({ profileId: 42, after: 1234 });  // `after`: the seq the page was rendered at
 *   live.on("message.new", (payload, event) => addMessage(payload.chat_id, payload.message));
 *   live.on("*", (event) => console.debug(event.seq, event.type));     // every event
 *   live.on("typing", ({ chatId, profileId, name }) => showTyping(chatId, name));
 *   live.on("reset", ({ seq }) => location.reload());  // away too long: events were pruned, reload the state
 *   live.on("status", (status) => showStatus(status)); // "connecting" | "live" | "offline" | "signed-out"
 *   live.start();
 *   input.addEventListener("input", () => live.sendTyping(chatId));
 *
 * Where the last seq comes from: `after` when given (the page's own state is as of that seq), else what this
 * profile's last page stored in localStorage, else 0. It is kept in memory and in localStorage after every event.
 * Reconnects back off exponentially with jitter (0.5 s doubling up to 30 s); a close with code 4401 (signed out or
 * the device's session ended) stops reconnecting. A ping every 25 s detects a dead connection the browser missed.
 */

const PING_EVERY = 25_000; // ms between keepalive pings
const PONG_WITHIN = 10_000; // ms to hear anything back before the connection counts as dead
const BACKOFF_FIRST = 500; // ms: the first reconnect waits up to this
const BACKOFF_MAX = 30_000; // ms: the longest wait between reconnects
const TYPING_EVERY = 2_000; // ms: the server relays at most one typing frame per chat per 2 s anyway
const SIGNED_OUT = 4401;

export class RealtimeClient {
  /**
   * @param {object} options
   * @param {number} options.profileId  the signed-in profile (keys the stored seq: one browser, several profiles)
   * @param {number} [options.after]    the last event seq the page's state includes
   * @param {string} [options.url]      the WebSocket address (default: /ws/ on this host)
   * @param {Storage|null} [options.storage]  where the seq is kept between pages (default: localStorage)
   */
  constructor({ profileId, after, url, storage }) {
    this.url = url ?? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/`;
    this.storage = storage === undefined ? safeLocalStorage() : storage;
    this.storageKey = `parta.realtime.seq.${profileId}`;
    this.lastSeq = typeof after === "number" && Number.isInteger(after) ? after : this.#storedSeq();
    this.status = "offline";
    this.listeners = new Map();
    this.socket = null;
    this.attempt = 0;
    this.timers = {};
    this.typingSent = new Map();
    this.stopped = true;
    this.onOnline = () => this.#reconnectNow();
  }

  /** Subscribes to an event type ("message.new"…), "*" (every event), "typing", "reset" or "status". */
  on(type, handler) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(handler);
    return () => this.listeners.get(type)?.delete(handler);
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    this.#connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    this.#clearTimers();
    this.socket?.close(1000);
    this.socket = null;
    this.#setStatus("offline");
  }

  /** Tells the chat's other members that this person is typing (sent at most once per 2 s per chat). */
  sendTyping(chatId) {
    const now = Date.now();
    if (this.status !== "live" || now - (this.typingSent.get(chatId) ?? -Infinity) < TYPING_EVERY) return;
    this.typingSent.set(chatId, now);
    this.#send({ type: "typing", chat_id: chatId });
  }

  #connect() {
    this.#clearTimers();
    this.#setStatus("connecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.#armPing(); // a server that accepts but never answers counts as dead too
      this.#send({ type: "resume", after: this.lastSeq });
    };
    socket.onmessage = (message) => socket === this.socket && this.#receive(JSON.parse(message.data));
    socket.onclose = (close) => socket === this.socket && this.#closed(close.code);
  }

  #receive(frame) {
    this.#armPing();
    if (frame.type === "events") {
      for (const event of frame.events) this.#deliver(event);
    } else if (frame.type === "ready") {
      if (frame.reset || frame.seq < this.lastSeq) this.#emit("reset", { seq: frame.seq });
      this.#remember(frame.seq);
      this.attempt = 0;
      this.#setStatus("live");
    } else if (frame.type === "typing") {
      this.#emit("typing", { chatId: frame.chat_id, profileId: frame.profile_id, name: frame.name });
    } else if (frame.type === "error") {
      console.warn("parta realtime:", frame.code, frame.message);
    }
  }

  #deliver(event) {
    if (event.seq <= this.lastSeq) return; // already seen (the server never repeats one; a belt for the braces)
    if (event.seq !== this.lastSeq + 1) {
      this.socket?.close(4000); // a hole can only mean a bug: resume from what we have
      return;
    }
    this.#remember(event.seq);
    this.#emit(event.type, event.payload, event);
    this.#emit("*", event);
  }

  #closed(code) {
    this.#clearTimers();
    this.socket = null;
    if (code === SIGNED_OUT) {
      this.stopped = true;
      this.#setStatus("signed-out");
      return;
    }
    this.#setStatus("offline");
    if (this.stopped) return;
    // Full jitter: after a server restart, thousands of clients must not come back in the same millisecond.
    const ceiling = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** this.attempt);
    this.attempt += 1;
    this.timers.reconnect = setTimeout(() => this.#connect(), Math.random() * ceiling);
  }

  #reconnectNow() {
    if (this.stopped || this.socket) return;
    this.attempt = 0;
    this.#connect();
  }

  #armPing() {
    clearTimeout(this.timers.ping);
    clearTimeout(this.timers.dead);
    this.timers.ping = setTimeout(() => {
      this.#send({ type: "ping" });
      this.timers.dead = setTimeout(() => this.socket?.close(4000), PONG_WITHIN);
    }, PING_EVERY);
  }

  #send(frame) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  #remember(seq) {
    this.lastSeq = seq;
    try {
      this.storage?.setItem(this.storageKey, String(seq));
    } catch {
      // a full or forbidden storage only costs a longer resume on the next page
    }
  }

  #storedSeq() {
    const stored = Number.parseInt(this.storage?.getItem(this.storageKey) ?? "", 10);
    return Number.isInteger(stored) && stored >= 0 ? stored : 0;
  }

  #emit(type, ...args) {
    for (const handler of this.listeners.get(type) ?? []) {
      try {
        handler(...args);
      } catch (error) {
        console.error("parta realtime: a listener failed", error); // one bad listener must not stop delivery
      }
    }
  }

  #setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.#emit("status", status);
  }

  #clearTimers() {
    for (const timer of Object.values(this.timers)) clearTimeout(timer);
    this.timers = {};
  }
}

function safeLocalStorage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the seq lives in memory only
  }
}
