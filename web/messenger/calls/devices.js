/**
 * The camera and the microphone on this device: the preview before joining, the device lists, switching devices.
 * One MediaStream holds at most one audio and one video track; turning one "off" disables it (the track keeps its
 * place in the call, so turning it on again needs no renegotiation).
 */
import { t } from "./i18n.js";

const VIDEO = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };

function constraints(kind, deviceId) {
  if (kind === "video") return deviceId ? { ...VIDEO, deviceId: { exact: deviceId } } : VIDEO;
  return deviceId ? { deviceId: { exact: deviceId }, echoCancellation: true } : { echoCancellation: true };
}

export class LocalMedia {
  constructor() {
    this.stream = new MediaStream();
    this.denied = false;
  }

  get audio() {
    return this.stream.getAudioTracks()[0] ?? null;
  }

  get video() {
    return this.stream.getVideoTracks()[0] ?? null;
  }

  /** Asks for both; if one is missing or refused, takes what there is. Never throws. */
  async open({ cameraId = "", micId = "" } = {}) {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.denied = true;
      return;
    }
    const attempts = [
      { audio: constraints("audio", micId), video: constraints("video", cameraId) },
      { audio: constraints("audio", micId) },
      { video: constraints("video", cameraId) },
    ];
    for (const wanted of attempts) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia(wanted);
        this.stop();
        this.stream = new MediaStream(stream.getTracks());
        this.denied = false;
        return;
      } catch (error) {
        if (error?.name === "NotAllowedError") this.denied = true;
      }
    }
  }

  async devices() {
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      return {
        cameras: all.filter((device) => device.kind === "videoinput"),
        mics: all.filter((device) => device.kind === "audioinput"),
      };
    } catch {
      return { cameras: [], mics: [] };
    }
  }

  /** A new track from another device, in place of the old one; returns it (the caller updates the call). */
  async switchDevice(kind, deviceId) {
    const old = kind === "video" ? this.video : this.audio;
    const enabled = old ? old.enabled : true;
    old?.stop(); // some phones refuse a second camera while the first is open
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints(kind, deviceId) });
    const track = stream.getTracks()[0];
    track.enabled = enabled;
    if (old) this.stream.removeTrack(old);
    this.stream.addTrack(track);
    return track;
  }

  deviceId(kind) {
    const track = kind === "video" ? this.video : this.audio;
    return track?.getSettings?.().deviceId ?? "";
  }

  stop() {
    for (const track of this.stream.getTracks()) track.stop();
  }
}

/** Fills a <select> with devices (labels appear once access is granted; before that: «Камера 1»…). */
export function fillSelect(select, devices, chosenId, kind) {
  const none = kind === "video" ? t("no_camera") : t("no_microphone");
  select.replaceChildren();
  devices.forEach((device, index) => {
    const label = device.label || t(kind === "video" ? "camera_n" : "microphone_n", { n: index + 1 });
    select.append(new Option(label, device.deviceId, false, device.deviceId === chosenId));
  });
  if (!devices.length) select.append(new Option(none, "", true, true));
  select.disabled = devices.length < 2;
}

/** A level meter for the microphone (the width of an element, 0–100 %); returns a stop function. */
export function meter(track, element) {
  if (!track || !element || !window.AudioContext) return () => {};
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 256;
  context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  let frame = 0;
  const draw = () => {
    analyser.getByteTimeDomainData(data);
    let peak = 0;
    for (const value of data) peak = Math.max(peak, Math.abs(value - 128));
    element.style.width = `${Math.min(100, Math.round((peak / 128) * 160))}%`;
    frame = requestAnimationFrame(draw);
  };
  draw();
  return () => {
    cancelAnimationFrame(frame);
    if (context.state !== "closed") context.close().catch(() => {});
  };
}
