// The browser globals the pages use that the DOM library does not declare: janus.js and adapter.js come from the
// Debian packages libjs-janus-gateway (1.1.2, matching the Janus server) and libjs-webrtc-adapter, loaded as classic
// scripts before the call page's module (calls/views.py, `library_urls`). Only what Parta calls is declared here.

/** janus.js's JSEP: an SDP offer or answer with its type, as janus.js passes it around. */
interface JanusJsep extends RTCSessionDescriptionInit {
  e2ee?: boolean;
}

/** A plugin's message: the VideoRoom's event fields (`videoroom`, `publishers`, `error`, …). */
type JanusMessage = Record<string, any>;

interface JanusTrackOption {
  type: "audio" | "video" | "screen" | "data";
  capture?: boolean | MediaStreamTrack | MediaTrackConstraints;
  recv?: boolean;
  add?: boolean;
  replace?: boolean;
  remove?: boolean;
  mid?: string;
  [option: string]: unknown;
}

interface JanusPluginHandle {
  getId(): number;
  getPlugin(): string;
  send(parameters: {
    message: JanusMessage;
    jsep?: JanusJsep;
    success?: (result: JanusMessage) => void;
    error?: (error: unknown) => void;
  }): void;
  createOffer(parameters: {
    tracks?: JanusTrackOption[];
    success: (jsep: JanusJsep) => void;
    error: (error: unknown) => void;
    [option: string]: unknown;
  }): void;
  createAnswer(parameters: {
    jsep: JanusJsep;
    tracks?: JanusTrackOption[];
    success: (jsep: JanusJsep) => void;
    error: (error: unknown) => void;
    [option: string]: unknown;
  }): void;
  handleRemoteJsep(parameters: { jsep: JanusJsep; success?: () => void; error?: (error: unknown) => void }): void;
  replaceTracks(parameters: {
    tracks: JanusTrackOption[];
    success?: () => void;
    error?: (error: unknown) => void;
  }): void;
  hangup(sendRequest?: boolean): void;
  detach(parameters?: { success?: () => void; error?: (error: unknown) => void; noRequest?: boolean }): void;
  /** janus.js's internals; the PeerConnection is read for getStats() and the transceivers. */
  webrtcStuff: { pc?: RTCPeerConnection | null; [field: string]: unknown };
}

interface JanusAttachCallbacks {
  plugin: string;
  opaqueId?: string;
  success: (handle: JanusPluginHandle) => void;
  error: (error: unknown) => void;
  consentDialog?: (on: boolean) => void;
  iceState?: (state: RTCIceConnectionState) => void;
  webrtcState?: (up: boolean, reason?: string) => void;
  mediaState?: (medium: string, receiving: boolean, mid?: string) => void;
  slowLink?: (uplink: boolean, lost: number, mid?: string) => void;
  onmessage?: (message: JanusMessage, jsep?: JanusJsep) => void;
  onlocaltrack?: (track: MediaStreamTrack, on: boolean) => void;
  onremotetrack?: (track: MediaStreamTrack, mid: string, on: boolean, metadata?: unknown) => void;
  oncleanup?: () => void;
  ondetached?: () => void;
}

interface JanusOptions {
  server: string | string[];
  token?: string;
  apisecret?: string;
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  withCredentials?: boolean;
  longPollTimeout?: number;
  destroyOnUnload?: boolean;
  success?: () => void;
  error?: (error: unknown) => void;
  destroyed?: () => void;
}

interface JanusSession {
  getServer(): string;
  isConnected(): boolean;
  getSessionId(): number;
  attach(callbacks: JanusAttachCallbacks): void;
  destroy(parameters?: { cleanupHandles?: boolean; unload?: boolean; notifyDestroyed?: boolean; success?: () => void; error?: (error: unknown) => void }): void;
}

interface JanusStatic {
  new (options: JanusOptions): JanusSession;
  init(options: { debug?: boolean | string | string[]; dependencies?: unknown; callback?: () => void }): void;
  useDefaultDependencies(deps?: unknown): unknown;
  isWebrtcSupported(): boolean;
}

/** adapter.js (webrtc-adapter): the shim janus.js expects as the global `adapter`. */
interface WebRtcAdapter {
  browserDetails: { browser: string; version: number | null; supportsUnifiedPlan?: boolean };
}

declare var Janus: JanusStatic;
declare var adapter: WebRtcAdapter;

interface Window {
  Janus?: JanusStatic;
  adapter?: WebRtcAdapter;
  /** The call page's hooks for the call tests (tests/e2e_calls/call_page.py). */
  partaCall?: { page: unknown; board?: unknown; timing: { joinClickedAt: number | null; firstRemoteFrameAt: number | null }; inboundStats: () => Promise<unknown[]> };
  /** The chat app (chatui/app.html), for debugging in the console. */
  partaChat?: unknown;
  /** tests/e2e_calls/janus_page.js */
  janusBench?: unknown;
}
