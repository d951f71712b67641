/**
 * The board's connection: a Y.Doc kept in sync with the messenger over `/ws/boards/<id>/` by the y-protocols sync
 * and awareness messages (docs/board.md, "Wire protocol"), plus the server's text frames (board.permissions,
 * board.refused). Remote updates are applied with this provider as their origin, so undo never touches them.
 *
 * Reconnects back off (0.5 s doubling to 10 s, with jitter); each reconnect resyncs (step 1 / step 2 both ways).
 * Close codes 4401, 4403 and 4404 stop it for good. Only this tab's own awareness state is ever sent: the server
 * counts every client id a socket speaks for as that socket's, to send "gone" for them when it closes.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const BACKOFF_FIRST = 500;
const BACKOFF_MAX = 10_000;
export const FINAL_CLOSES = new Set([4401, 4403, 4404]);

/**
 * @typedef {"connecting" | "synced" | "offline"} Status
 * @typedef {{onStatus?: (status: Status) => void, onPermissions?: (frame: any) => void,
 *            onRefused?: (refusal: {code: string, message: string}) => void, onClosed?: (code: number) => void}} Events
 */

export class BoardProvider {
  /**
   * @param {string} url  the socket's full address
   * @param {Y.Doc} doc
   * @param {Events} events
   */
  constructor(url, doc, events) {
    this.url = url;
    this.doc = doc;
    this.events = events;
    this.awareness = new awarenessProtocol.Awareness(doc);
    /** @type {WebSocket | null} */
    this.socket = null;
    /** @type {Status} */
    this.status = "connecting";
    this.attempt = 0;
    this.stopped = false;
    // Whether this tab changed the doc since its last connection answered the server's step 1: if not, that answer
    // is the empty update, which needs no right to draw (a Yjs step 2 always carries the whole delete set, which
    // the server would otherwise check as a change and refuse to a viewer).
    this.dirty = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retry = undefined;
    this.onUpdate = (/** @type {Uint8Array} */ update, /** @type {unknown} */ origin) => {
      if (origin === this) return;
      this.dirty = true;
      this.#send(MESSAGE_SYNC, (encoder) => syncProtocol.writeUpdate(encoder, update));
    };
    this.onAwareness = (/** @type {any} */ { added, updated, removed }, /** @type {unknown} */ origin) => {
      const mine = [...added, ...updated, ...removed].filter((id) => id === doc.clientID);
      if (origin === this || !mine.length) return;
      const payload = awarenessProtocol.encodeAwarenessUpdate(this.awareness, mine);
      this.#send(MESSAGE_AWARENESS, (encoder) => encoding.writeVarUint8Array(encoder, payload));
    };
    doc.on("update", this.onUpdate);
    this.awareness.on("update", this.onAwareness);
    this.#connect();
  }

  destroy() {
    this.stopped = true;
    clearTimeout(this.retry);
    this.doc.off("update", this.onUpdate);
    this.awareness.off("update", this.onAwareness);
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "local");
    this.awareness.destroy();
    this.socket?.close(1000);
    this.socket = null;
  }

  #connect() {
    this.#setStatus("connecting");
    const socket = new WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onopen = () => {
      this.#send(MESSAGE_SYNC, (encoder) => syncProtocol.writeSyncStep1(encoder, this.doc));
      if (this.awareness.getLocalState() !== null) this.#sendOwnAwareness();
    };
    socket.onmessage = (event) => {
      if (this.stopped || this.socket !== socket) return;
      if (typeof event.data === "string") this.#onText(event.data);
      else this.#onBinary(new Uint8Array(event.data));
    };
    socket.onclose = (event) => this.#onClose(socket, event.code);
  }

  /** @param {WebSocket} socket @param {number} code */
  #onClose(socket, code) {
    if (this.socket !== socket) return;
    this.socket = null;
    // The others' cursors are stale once this tab hears nothing more; the server resends them as they move.
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    this.#setStatus("offline");
    if (this.stopped) return;
    if (FINAL_CLOSES.has(code)) {
      this.stopped = true;
      this.events.onClosed?.(code);
      return;
    }
    const wait = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.retry = setTimeout(() => this.#connect(), wait);
  }

  /** @param {string} text */
  #onText(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame?.type === "board.permissions") this.events.onPermissions?.(frame);
    else if (frame?.type === "board.refused") this.events.onRefused?.({ code: frame.code, message: frame.message });
  }

  /** @param {Uint8Array} data */
  #onBinary(data) {
    const decoder = decoding.createDecoder(data);
    const kind = decoding.readVarUint(decoder);
    if (kind === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
    } else if (kind === MESSAGE_SYNC) {
      this.#onSync(decoder);
    }
  }

  /** @param {decoding.Decoder} decoder */
  #onSync(decoder) {
    const sub = decoding.readVarUint(decoder);
    if (sub === syncProtocol.messageYjsSyncStep1) {
      const vector = decoding.readVarUint8Array(decoder);
      const fresh = this.dirty || ahead(this.doc, Y.decodeStateVector(vector));
      const update = fresh ? Y.encodeStateAsUpdate(this.doc, vector) : new Uint8Array([0, 0]);
      this.dirty = false;
      this.#send(MESSAGE_SYNC, (encoder) => {
        encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
        encoding.writeVarUint8Array(encoder, update);
      });
      return;
    }
    const update = decoding.readVarUint8Array(decoder);
    Y.applyUpdate(this.doc, update, this);
    if (sub === syncProtocol.messageYjsSyncStep2) {
      this.attempt = 0;
      this.#setStatus("synced");
    }
  }

  #sendOwnAwareness() {
    const payload = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]);
    this.#send(MESSAGE_AWARENESS, (encoder) => encoding.writeVarUint8Array(encoder, payload));
  }

  /** @param {number} kind @param {(encoder: encoding.Encoder) => void} write */
  #send(kind, write) {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, kind);
    write(encoder);
    this.socket.send(encoding.toUint8Array(encoder));
  }

  /** @param {Status} status */
  #setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.events.onStatus?.(status);
  }
}

/** Whether this doc has structs the other side's state vector lacks. @param {Y.Doc} doc @param {Map<number, number>} theirs */
function ahead(doc, theirs) {
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) if (clock > (theirs.get(client) ?? 0)) return true;
  return false;
}

