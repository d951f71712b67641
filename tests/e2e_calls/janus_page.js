// A bare janus.js client for the harness's smoke test and the call benchmark (tests/bench/bench_calls.py): it
// talks to Janus directly, without the messenger's call page, so Janus itself can be proven and measured.
// Loaded into a page served under Janus's own origin (same origin: no CORS), after adapter.js and janus.js.
// Every function returns a Promise that settles or fails within `timeoutMs`.
/* global Janus */
"use strict";

window.janusBench = (() => {
  let janus = null;
  const handles = [];
  const dropped = {}; // "handle:mid" → encoded video frames received by a subscriber that does not decode

  function withTimeout(promise, timeoutMs, what) {
    return Promise.race([
      promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${timeoutMs} ms`)), timeoutMs)),
    ]);
  }

  function connect(server, token, timeoutMs = 10000) {
    return withTimeout(
      new Promise((resolve, reject) => {
        Janus.init({
          debug: false,
          dependencies: Janus.useDefaultDependencies(),
          callback: () => {
            janus = new Janus({
              server,
              token,
              iceServers: [], // never a public STUN server
              success: () => resolve(true),
              error: (error) => reject(new Error(`Janus session: ${error}`)),
            });
          },
        });
      }),
      timeoutMs,
      "connect",
    );
  }

  function attach(callbacks) {
    return new Promise((resolve, reject) => {
      janus.attach({
        plugin: "janus.plugin.videoroom",
        success: (handle) => {
          handles.push(handle);
          resolve(handle);
        },
        error: (error) => reject(new Error(`attach: ${error}`)),
        ...callbacks,
      });
    });
  }

  // Publishes the fake camera and microphone (kind "camera") or the fake screen (kind "screen") as feed `feedId`.
  // `camera`: the camera's constraints (default 640×480), e.g. {width: 320, height: 240, frameRate: 15}.
  async function publish(room, feedId, kind, timeoutMs = 20000, camera = { width: 640, height: 480 }) {
    let onJoined;
    let onAnswer;
    const joined = new Promise((resolve, reject) => {
      onJoined = { resolve, reject };
    });
    const answered = new Promise((resolve, reject) => {
      onAnswer = { resolve, reject };
    });
    const handle = await attach({
      onmessage: (msg, jsep) => {
        if (msg.videoroom === "joined") onJoined.resolve(msg);
        if (msg.error) {
          onJoined.reject(new Error(msg.error));
          onAnswer.reject(new Error(msg.error));
        }
        if (jsep) {
          handle.handleRemoteJsep({ jsep });
          onAnswer.resolve(true);
        }
      },
    });
    handle.send({ message: { request: "join", ptype: "publisher", room, id: feedId, display: `{"k":"${kind}"}` } });
    await withTimeout(joined, timeoutMs, "join as publisher");
    const tracks =
      kind === "screen"
        ? [{ type: "screen", capture: true, recv: false }]
        : [
            { type: "audio", capture: true, recv: false },
            { type: "video", capture: camera, recv: false },
          ];
    const offer = await withTimeout(
      new Promise((resolve, reject) => {
        handle.createOffer({ tracks, success: resolve, error: (e) => reject(new Error(`offer: ${e}`)) });
      }),
      timeoutMs,
      "createOffer",
    );
    handle.send({ message: { request: "configure", audio: kind !== "screen", video: true }, jsep: offer });
    await withTimeout(answered, timeoutMs, "publisher answer");
    return true;
  }

  // Encoded video frames of a subscriber go to a counter instead of the decoder (the PeerConnection was made with
  // insertable streams, because the answer's tracks carry transforms; janus.js does not pipe them for receive-only
  // tracks, so this does).
  function dropVideoFrames(handle) {
    const index = handles.indexOf(handle);
    for (const transceiver of handle.webrtcStuff.pc.getTransceivers()) {
      const receiver = transceiver.receiver;
      if (!receiver || receiver.track.kind !== "video" || receiver.partaPiped) continue;
      receiver.partaPiped = true;
      const key = `${index}:${transceiver.mid}`;
      const streams = receiver.createEncodedStreams();
      streams.readable.pipeTo(
        new WritableStream({
          write() {
            dropped[key] = (dropped[key] || 0) + 1;
          },
        }),
      );
    }
  }

  // The mids of the video m-lines of an SDP.
  function videoMids(sdp) {
    return sdp
      .split(/\r?\nm=/)
      .filter((section) => section.startsWith("video"))
      .map((section) => (section.match(/a=mid:(\S+)/) || [])[1])
      .filter(Boolean);
  }

  // One subscriber PeerConnection receiving the given feeds. With `noDecode`, its video frames are received and
  // assembled but dropped before the decoder (an insertable-streams transform): Janus does the same work, the
  // browser far less (the benchmark's many subscribers on two cores).
  async function subscribe(room, feeds, timeoutMs = 20000, noDecode = false) {
    let onStarted;
    const started = new Promise((resolve, reject) => {
      onStarted = { resolve, reject };
    });
    const handle = await attach({
      onmessage: (msg, jsep) => {
        if (msg.error) onStarted.reject(new Error(msg.error));
        if (jsep) {
          const tracks = [{ type: "data" }];
          if (noDecode) {
            for (const mid of videoMids(jsep.sdp)) {
              // A transform makes janus.js create the PeerConnection with insertable streams (dropVideoFrames).
              tracks.push({ type: "video", mid, recv: true, transforms: { receiver: new TransformStream() } });
            }
          }
          handle.createAnswer({
            jsep,
            tracks,
            success: (answer) => {
              delete answer.e2ee; // janus.js flags transforms as end-to-end encryption: not so here
              if (noDecode) dropVideoFrames(handle);
              handle.send({ message: { request: "start", room }, jsep: answer });
              onStarted.resolve(true);
            },
            error: (e) => onStarted.reject(new Error(`answer: ${e}`)),
          });
        }
      },
    });
    handle.send({
      message: { request: "join", ptype: "subscriber", room, streams: feeds.map((feed) => ({ feed })) },
    });
    await withTimeout(started, timeoutMs, "subscribe");
    return handles.length;
  }

  // RTP stats of every PeerConnection of this page: inbound (subscribers) and outbound (publishers), one entry per
  // stream: {handle, direction, kind, mid, framesDecoded, framesSent, frameWidth, frameHeight, bytes, packets}.
  async function rtpStats() {
    const found = [];
    for (const [index, handle] of handles.entries()) {
      const pc = handle.webrtcStuff && handle.webrtcStuff.pc;
      if (!pc) continue;
      const report = await pc.getStats();
      report.forEach((stat) => {
        if (stat.type !== "inbound-rtp" && stat.type !== "outbound-rtp") return;
        const inbound = stat.type === "inbound-rtp";
        found.push({
          handle: index,
          direction: inbound ? "in" : "out",
          kind: stat.kind,
          mid: stat.mid,
          framesDecoded: stat.framesDecoded || 0,
          framesReceived: dropped[`${index}:${stat.mid}`] ?? (stat.framesReceived || 0),
          framesSent: stat.framesSent || 0,
          frameWidth: stat.frameWidth || 0,
          frameHeight: stat.frameHeight || 0,
          bytes: (inbound ? stat.bytesReceived : stat.bytesSent) || 0,
          packets: (inbound ? stat.packetsReceived : stat.packetsSent) || 0,
        });
      });
    }
    return found;
  }

  // Inbound video and audio stats of every PeerConnection: [{kind, framesDecoded, bytesReceived, packetsReceived}].
  async function inboundStats() {
    return (await rtpStats())
      .filter((s) => s.direction === "in")
      .map((s) => ({ kind: s.kind, framesDecoded: s.framesDecoded, bytesReceived: s.bytes, packetsReceived: s.packets }));
  }

  function peerConnections() {
    return handles.map((handle) => handle.webrtcStuff && handle.webrtcStuff.pc).filter(Boolean);
  }

  function close() {
    if (janus) janus.destroy({ unload: true });
    janus = null;
    handles.length = 0;
  }

  return { connect, publish, subscribe, rtpStats, inboundStats, peerConnections, close };
})();
