/**
 * The stage: one tile per remote feed (a person's camera, or their screen) around
 * `video[data-feed][data-kind][data-participant]`, plus one's own camera (#call-self). Two layouts: a grid of equal
 * tiles, or «Докладчик» — one tile big (a screen share, else whoever is talking, else the first raised hand, else the
 * organizer) and the rest in a strip.
 */
import { t } from "./i18n.js";

export class Stage {
  constructor(root, { timing }) {
    this.root = root; // #call-stage
    this.timing = timing;
    this.tiles = new Map(); // feed id → {figure, video, caption, feed}
    this.talking = new Set(); // feed ids talking now (when the room reports audio levels)
    this.layout = "grid";
    this.selfTile = root.querySelector("[data-self]");
    this.empty = document.createElement("p");
    this.empty.className = "call-stage-empty muted";
    this.empty.textContent = t("nobody_else");
    root.append(this.empty);
  }

  /** A remote feed appeared or got a track: make or update its tile. */
  show(feed) {
    let tile = this.tiles.get(feed.feed);
    if (!tile) {
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.dataset.feed = String(feed.feed);
      video.dataset.kind = feed.kind;
      video.dataset.participant = feed.participant === null ? "" : String(feed.participant);
      const caption = document.createElement("figcaption");
      caption.className = "call-tile-name";
      const figure = document.createElement("figure");
      figure.className = `call-tile call-tile-${feed.kind}`;
      figure.dataset.feed = String(feed.feed);
      figure.append(video, caption);
      this.root.append(figure);
      tile = { figure, video, caption, feed };
      this.tiles.set(feed.feed, tile);
      this.#watchFirstFrame(video);
    }
    if (tile.video.srcObject !== feed.stream) tile.video.srcObject = feed.stream;
    tile.video.play().catch(() => {}); // autoplay rules: the join click counts as the gesture
    this.arrange();
  }

  remove(feedId) {
    const tile = this.tiles.get(feedId);
    if (!tile) return;
    tile.video.srcObject = null;
    tile.figure.remove();
    this.tiles.delete(feedId);
    this.talking.delete(feedId);
    this.arrange();
  }

  clear() {
    for (const feedId of [...this.tiles.keys()]) this.remove(feedId);
  }

  setTalking(feedId, talking) {
    if (talking) this.talking.add(feedId);
    else this.talking.delete(feedId);
    this.tiles.get(feedId)?.figure.classList.toggle("call-tile-talking", talking);
    if (this.layout === "speaker") this.arrange();
  }

  /** Names and states from the CallState (a tile's feed carries only the participant id). */
  update(state) {
    this.state = state;
    const people = new Map((state?.participants ?? []).map((person) => [person.id, person]));
    for (const tile of this.tiles.values()) {
      const person = people.get(tile.feed.participant) ?? this.#byFeed(state, tile.feed.feed);
      const name = person?.name ?? "";
      tile.caption.textContent = tile.feed.kind === "screen" ? t("screen_of", { name }) : name;
      tile.video.setAttribute("aria-label", tile.caption.textContent);
      const cameraOff = tile.feed.kind === "camera" && person && !person.camera;
      tile.figure.classList.toggle("call-tile-camera-off", Boolean(cameraOff));
      tile.figure.dataset.initials = initials(name);
      tile.figure.classList.toggle("call-tile-mic-off", Boolean(person && !person.microphone));
      tile.figure.classList.toggle("call-tile-hand", Boolean(person?.hand_raised_at));
    }
    this.arrange();
  }

  setLayout(layout) {
    this.layout = layout;
    this.arrange();
  }

  arrange() {
    this.empty.hidden = this.tiles.size > 0;
    const main = this.layout === "speaker" ? this.#speaker() : null;
    for (const tile of this.tiles.values()) tile.figure.classList.toggle("call-tile-main", tile === main);
    this.root.dataset.count = String(this.tiles.size + 1);
  }

  #speaker() {
    const tiles = [...this.tiles.values()];
    const hands = this.state?.hands ?? [];
    const admins = new Set((this.state?.participants ?? []).filter((p) => p.is_admin).map((p) => p.id));
    return (
      tiles.find((tile) => tile.feed.kind === "screen") ??
      tiles.find((tile) => this.talking.has(tile.feed.feed)) ??
      hands.map((id) => tiles.find((tile) => tile.feed.participant === id && tile.feed.kind === "camera")).find(Boolean) ??
      tiles.find((tile) => admins.has(tile.feed.participant)) ??
      tiles[0] ??
      null
    );
  }

  #byFeed(state, feedId) {
    return (state?.participants ?? []).find((person) => person.feed_id === feedId || person.screen_feed_id === feedId);
  }

  #watchFirstFrame(video) {
    const seen = () => {
      this.timing.firstRemoteFrameAt ??= performance.now();
    };
    if ("requestVideoFrameCallback" in video) video.requestVideoFrameCallback(seen);
    else video.addEventListener("playing", seen, { once: true });
  }
}

export function initials(name) {
  const parts = String(name || "").split(/\s+/).filter(Boolean).slice(0, 2);
  return parts.map((part) => part[0].toUpperCase()).join("") || "?";
}
