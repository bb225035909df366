// Glimpse clip player (Streamlit custom component v2): frames are decoded and painted in the browser;
// only window requests (frames around the cursor) and saves go back to Python.
// The default export is called again on every script rerun with new data, so all state lives in a
// per-root object (STATES) and each call only merges what changed.

const SPEEDS = [1, 1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32];
const SPEED_NAMES = ["1×", "1/2×", "1/4×", "1/8×", "1/16×", "1/32×"];
const MARKS = ["onset", "apex", "offset"];
const COLORS = { onset: "#2e7d32", apex: "#c62828", offset: "#1565c0" };
const TRACK_COLORS = ["#6a4c93", "#1982c4", "#8ac926", "#ff924c", "#c5283d", "#3a86ff", "#8338ec", "#2a9d8f"];
const CURVE_COLORS = ["#7b61ff", "#00897b", "#ef6c00", "#d81b60", "#5d4037", "#3949ab"];
const MAX_BITMAPS = 6000;
const GUTTER = 108;
const STATES = new WeakMap();

function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

function counters() {
  // Exposed for tests and the benchmark: painted frames, dropped frames, step latencies, first paint.
  if (!window.__glimpsePlayer) {
    window.__glimpsePlayer = { painted: 0, dropped: 0, stalls: 0, frame: null, index: null, ref: null,
      steps: [], firstPaintMs: null, mountedAt: performance.now(), windows: 0, loaded: 0, playing: false,
      clip: null, rate: null, lanes: [] };
  }
  return window.__glimpsePlayer;
}

function create(root, component) {
  const q = (s) => root.querySelector(s);
  const st = {
    root, q, component,
    clipId: null, numbers: [], fps: 30, index: 0, speed: 0, playing: false, loop: false, showLm: true,
    gain: 8, marks: { onset: null, apex: null, offset: null }, saved: { onset: null, apex: null, offset: null },
    bitmaps: new Map(), missing: new Map(), landmarks: new Map(), loadedSeq: -1, anchorsSeen: new Set(),
    requested: null, windowSize: 200, pendingSave: null, statusSeq: -1,
    view: null, curves: [], tracks: [], editable: false, annotator: "", lastPainted: null,
    playT0: 0, playI0: 0, raf: 0, stepAt: null, helpOpen: false, mounted: performance.now(),
    reference: null, play: null, everySpeed: null, framesKey: null, framesGen: 0, shown: false,
  };
  const speedSel = q(".gp-speed");
  SPEED_NAMES.forEach((name, i) => { const o = document.createElement("option"); o.value = i; o.textContent = name; speedSel.appendChild(o); });
  speedSel.addEventListener("change", () => { setSpeed(st, Number(speedSel.value)); root.focus(); });
  root.querySelectorAll("button").forEach((b) => b.addEventListener("mousedown", (e) => e.preventDefault()));
  root.querySelectorAll("button[data-act]").forEach((b) => b.addEventListener("click", () => act(st, b.dataset.act)));
  q(".gp-helpbtn").addEventListener("click", () => toggleHelp(st));
  q(".gp-every").addEventListener("click", () => { if (st.everySpeed !== null) setSpeed(st, st.everySpeed); root.focus(); });
  q(".gp-loop").addEventListener("change", (e) => { st.loop = e.target.checked; root.focus(); });
  q(".gp-lm").addEventListener("change", (e) => { st.showLm = e.target.checked; paint(st, true); root.focus(); });
  q(".gp-gain").addEventListener("input", (e) => { st.gain = Number(e.target.value); q(".gp-gainval").textContent = st.gain; paint(st, true); });
  root.addEventListener("keydown", (e) => onKey(st, e));
  root.addEventListener("focus", () => root.classList.add("gp-focus"));
  root.addEventListener("blur", () => root.classList.remove("gp-focus"));
  root.addEventListener("mousedown", (e) => { if (e.target.tagName !== "INPUT" && e.target.tagName !== "SELECT") root.focus({ preventScroll: true }); });
  setupTimeline(st);
  new ResizeObserver(() => { drawTimeline(st); drawCursor(st); }).observe(q(".gp-timeline"));
  return st;
}

// ------------------------------------------------------------------ data from Python

// The payload's keys are read here only: one destructuring per type, marked `// payload: <Name>` with
// the name of its TypedDict in workbench/components/player_payload.py (tests/app/test_player_payload.py
// checks each names exactly that TypedDict's keys). The rest of the player reads what this returns.
function readPayload(data) {
  const { clip, editable, annotator, mine, tracks, curves, window: frames, window_size, anchors, status, source, frames_key, initial, reference, proposal } = data; // payload: PlayerPayload
  const readMarks = (m) => { const { onset, apex, offset } = m; return { onset, apex, offset }; }; // payload: MarkSet
  const readBar = (b) => { const { onset, apex, offset, type } = b; return { onset, apex, offset, type }; }; // payload: Bar
  const readTrack = (t) => { const { name, onset, apex, offset, bars } = t; return { name, onset, apex, offset, bars: bars && bars.map(readBar) }; }; // payload: Track
  const readCurve = (c) => { const { name, numbers, values } = c; return { name, numbers, values }; }; // payload: Curve
  const readWindow = (w) => { const { start, numbers, images, missing, landmarks, seq } = w; return { start, numbers, images, missing, landmarks, seq }; }; // payload: FrameWindow
  const readStatus = (s) => { const { seq, ok, text } = s; return { seq, ok, text }; }; // payload: SaveStatus
  const readProposal = (p) => { const { apex, seq } = p; return { apex, seq }; }; // payload: Proposal
  const readClip = (c) => { const { id, title, fps, numbers } = c; return { id, title, fps, numbers }; }; // payload: ClipInfo
  return {
    clip: clip ? readClip(clip) : {}, editable, annotator, mine: mine ? readMarks(mine) : null,
    tracks: (tracks || []).map(readTrack), curves: (curves || []).map(readCurve), window: frames ? readWindow(frames) : null,
    window_size, anchors, status: status ? readStatus(status) : null, source, frames_key, initial, reference,
    proposal: proposal ? readProposal(proposal) : null,
  };
}

function merge(st, data) {
  const clip = data.clip || {};
  if (clip.id !== st.clipId) {
    // another clip in the same player (the page keeps one across clips): nothing of the last clip
    // stays — its frames (decodes still in flight included: framesGen), anchors, marks, pending save
    const switched = st.clipId !== null;
    st.clipId = clip.id; st.numbers = clip.numbers || []; st.fps = clip.fps || 30;
    st.framesGen = (st.framesGen || 0) + 1; st.anchorsSeen.clear(); st.pendingSave = null;
    st.lastPainted = null; st.stepAt = null; st.shown = false; cancelAnimationFrame(st.raf); counters().playing = false;
    if (switched) { message(st, "", true); st.q(".gp-play").textContent = "play"; st.mounted = performance.now(); st.root.focus({ preventScroll: true }); }
    st.index = clamp(data.initial || 0, 0, Math.max(0, st.numbers.length - 1));
    st.bitmaps.clear(); st.missing.clear(); st.landmarks.clear(); st.loadedSeq = -1; st.requested = null;
    st.view = { lo: 0, hi: Math.max(1, st.numbers.length - 1) };
    st.marks = { ...(data.mine || { onset: null, apex: null, offset: null }) };
    st.saved = { ...st.marks };
    st.playing = false; st.play = null; st.everySpeed = null;
    st.q(".gp-rate").textContent = ""; st.q(".gp-every").hidden = true;
    st.proposalSeq = data.proposal ? data.proposal.seq : null; // a proposal older than the mount is old news
    const c = counters(); c.firstPaintMs = null; c.mountedAt = st.mounted;
  }
  if (data.frames_key !== st.framesKey) { // another view or magnification: frames decoded for the old one go
    st.framesKey = data.frames_key; st.framesGen = (st.framesGen || 0) + 1;
    st.bitmaps.clear(); st.missing.clear(); st.landmarks.clear(); st.anchorsSeen.clear();
    st.loadedSeq = -1; st.requested = null;
  }
  st.editable = !!data.editable; st.annotator = data.annotator || ""; st.windowSize = data.window_size || 200;
  st.tracks = data.tracks || []; st.curves = data.curves || []; st.source = data.source;
  st.reference = data.reference ?? null;
  st.title = clip.title || "";
  if (data.mine && st.pendingSave === null && !dirty(st)) { st.marks = { ...data.mine }; st.saved = { ...data.mine }; }
  const w = data.window;
  if (w && w.seq !== st.loadedSeq) { st.loadedSeq = w.seq; ingest(st, w); if (st.requested && st.requested.seq === w.seq) st.requested = null; }
  for (const [num, url] of Object.entries(data.anchors || {})) {
    if (!st.anchorsSeen.has(num)) { st.anchorsSeen.add(num); decode(st, Number(num), url); }
  }
  const p = data.proposal;
  if (p && st.editable && p.seq !== st.proposalSeq) {
    st.proposalSeq = p.seq;
    st.marks.apex = p.apex; message(st, `apex ${p.apex} suggested — Enter saves`, true);
  }
  const s = data.status;
  if (s && s.seq !== st.statusSeq) {
    st.statusSeq = s.seq;
    if (st.pendingSave && s.seq === st.pendingSave.seq) {
      if (s.ok) { st.saved = { ...st.pendingSave.marks }; }
      st.pendingSave = null;
    }
    message(st, s.text, s.ok);
  }
  q_(st, ".gp-who").textContent = st.editable ? (st.annotator ? `marking as ${st.annotator}` : "type your name in “Annotator” to save") : "view only";
  q_(st, ".gp-marks").style.display = st.editable ? "flex" : "none";
  q_(st, ".gp-cap-ref").textContent = "onset " + (refNumber(st) ?? "–");
  q_(st, ".gp-lm").parentElement.style.display = st.source === "frames" ? "" : "none"; // crops carry none
  drawTimeline(st); paint(st, true); ensureWindow(st);
}

function q_(st, s) { return st.q(s); }

function ingest(st, w) {
  counters().windows += 1;
  (w.numbers || []).forEach((num, k) => {
    const url = w.images[k];
    if (url) decode(st, num, url);
  });
  for (const [num, why] of Object.entries(w.missing || {})) st.missing.set(Number(num), why);
  for (const [num, pts] of Object.entries(w.landmarks || {})) st.landmarks.set(Number(num), pts);
}

function decode(st, num, url) {
  if (st.bitmaps.has(num)) return;
  st.bitmaps.set(num, "pending");
  const gen = st.framesGen;
  const img = new Image();
  img.src = url;
  img.decode().then(() => createImageBitmap(img)).then((bmp) => {
    if (gen !== st.framesGen) return; // decoded for a view the player has left
    st.bitmaps.set(num, bmp); counters().loaded = st.bitmaps.size;
    if (st.bitmaps.size > MAX_BITMAPS) evict(st);
    if (num === st.numbers[st.index] || num === refNumber(st)) paint(st, true);
  }).catch(() => { if (gen !== st.framesGen) return; st.bitmaps.delete(num); st.missing.set(num, "cannot decode"); });
}

function evict(st) {
  // Drop the frames farthest from the cursor (a long recording never holds everything).
  const cur = st.numbers[st.index];
  const keep = new Set(MARKS.map((m) => st.marks[m]).concat([refNumber(st)]));
  const far = [...st.bitmaps.keys()].filter((n) => !keep.has(n)).sort((a, b) => Math.abs(b - cur) - Math.abs(a - cur));
  for (const n of far.slice(0, st.bitmaps.size - MAX_BITMAPS * 0.8)) { const b = st.bitmaps.get(n); if (b && b.close) b.close(); st.bitmaps.delete(n); }
}

function ensureWindow(st) {
  // Ask Python for the window around the cursor when the cursor (or the next half-window of playback)
  // is not loaded; one request at a time, the newest wish wins.
  const n = st.numbers.length;
  if (!n) return;
  const need = (i) => { const num = st.numbers[i]; return !st.bitmaps.has(num) && !st.missing.has(num); };
  const ahead = Math.min(n - 1, st.index + Math.floor(st.windowSize / 2));
  let target = null;
  const soon = Math.min(n - 1, st.index + Math.floor(st.windowSize / 4));
  const ref = indexOfNumber(st, refNumber(st));
  if (need(st.index)) target = st.index;
  else if (st.playing && need(ahead)) target = ahead;
  else if (ref !== null && need(ref)) target = ref; // the onset view compares with it: never left blank
  else if (!st.shown) return; // the frames ahead wait for the first paint: the page sends few, they come first
  else if (need(soon)) target = soon; // prefetch: a quarter window ahead is not loaded yet
  if (target === null) return;
  // a seek into frames not loaded yet asks for a short window first (it paints sooner); the prefetch
  // a quarter window ahead then brings a full one; the reference frame alone is one frame
  const count = target === ref && target !== st.index ? 1 : target === st.index ? Math.min(48, st.windowSize) : st.windowSize;
  const start = clamp(target - Math.floor(count / 4), 0, Math.max(0, n - count));
  if (st.requested && performance.now() - st.requested.at < 8000) return; // the answer re-checks (merge)
  const seq = Math.floor(performance.now() * 1000) + Math.floor(Math.random() * 1000);
  st.requested = { seq, start, at: performance.now() };
  st.component.setTriggerValue("window", { clip: st.clipId, start, count, seq });
}

// ------------------------------------------------------------------ actions

function act(st, what) {
  const n = st.numbers.length;
  switch (what) {
    case "home": seek(st, 0); break;
    case "end": seek(st, n - 1); break;
    case "back1": step(st, -1); break;
    case "fwd1": step(st, 1); break;
    case "back10": step(st, -10); break;
    case "fwd10": step(st, 10); break;
    case "play": togglePlay(st); break;
    case "slower": setSpeed(st, st.speed + 1); break;
    case "faster": setSpeed(st, st.speed - 1); break;
    case "save": save(st); break;
    case "drop": drop(st); break;
    default:
      if (what.startsWith("jump-")) {
        const m = what.slice(5);
        const num = st.marks[m] ?? sourceMark(st, m);
        if (num !== null && num !== undefined) seekNumber(st, num);
      }
  }
}

function onKey(st, e) {
  if (e.target && (e.target.tagName === "INPUT" && e.target.type !== "checkbox" && e.target.type !== "range")) return;
  let handled = true;
  const k = e.key;
  if (k === " ") togglePlay(st);
  else if (k === "ArrowLeft") step(st, e.shiftKey ? -10 : -1, e);
  else if (k === "ArrowRight") step(st, e.shiftKey ? 10 : 1, e);
  else if (k === "Home") act(st, "home");
  else if (k === "End") act(st, "end");
  else if (k === "[") setSpeed(st, st.speed + 1);
  else if (k === "]") setSpeed(st, st.speed - 1);
  else if (k === "i" || k === "I") setMark(st, "onset");
  else if (k === "a" || k === "A") setMark(st, "apex");
  else if (k === "o" || k === "O") setMark(st, "offset");
  else if (k === "Enter") save(st);
  else if (k === "Escape") { if (st.helpOpen) toggleHelp(st); else drop(st); }
  else if (k === "?") toggleHelp(st);
  else handled = false;
  if (handled) { e.preventDefault(); e.stopPropagation(); }
}

function toggleHelp(st) { st.helpOpen = !st.helpOpen; st.q(".gp-help").hidden = !st.helpOpen; }

function step(st, delta, event) {
  if (st.playing) pause(st);
  if (event) st.stepAt = event.timeStamp;
  seek(st, st.index + delta);
}

function seek(st, i) {
  const n = st.numbers.length;
  if (!n) return;
  st.index = clamp(Math.round(i), 0, n - 1);
  keepInView(st); paint(st); ensureWindow(st);
}

function seekNumber(st, num) {
  let best = 0;
  for (let i = 0; i < st.numbers.length; i++) if (Math.abs(st.numbers[i] - num) < Math.abs(st.numbers[best] - num)) best = i;
  seek(st, best);
}

function setSpeed(st, i) {
  st.speed = clamp(i, 0, SPEEDS.length - 1);
  st.q(".gp-speed").value = st.speed;
  if (st.playing) { st.playT0 = performance.now(); st.playI0 = st.index; startRate(st); }
  header(st);
}

// ------------------------------------------------------------------ painted rate, dropped frames
// A display paints at most its refresh rate: 200 fps footage at 1× on a 60 Hz screen skips about two
// frames of three. The player says so while it plays (painted frames/s of the target, frames dropped)
// and offers the fastest speed whose frame rate the display keeps up with, so every frame is seen.

function startRate(st) {
  const c = counters();
  st.play = { t0: performance.now(), painted: c.painted, dropped: c.dropped, ticks: 0, shown: 0, speed: st.speed };
}

function showRate(st, now) {
  const p = st.play;
  const secs = (now - p.t0) / 1000;
  if (secs < 0.5 || now - p.shown < 250) return;
  p.shown = now;
  const c = counters();
  const painted = c.painted - p.painted, dropped = c.dropped - p.dropped;
  const target = st.fps * SPEEDS[p.speed], refresh = p.ticks / secs;
  let every = SPEEDS.length - 1;
  for (let i = 0; i < SPEEDS.length; i++) if (st.fps * SPEEDS[i] <= refresh * 0.9) { every = i; break; }
  st.everySpeed = dropped > 0 && every > p.speed ? every : null;
  c.rate = { painted: painted / secs, target, dropped, refresh, speed: p.speed, every: st.everySpeed };
  const el = st.q(".gp-rate");
  el.textContent = `painted ${Math.round(painted / secs)} of ${+target.toFixed(2)} frames/s · ${dropped} dropped`;
  el.classList.toggle("gp-dropping", dropped > 0);
  const btn = st.q(".gp-every");
  btn.hidden = st.everySpeed === null;
  if (st.everySpeed !== null) {
    btn.textContent = `${SPEED_NAMES[every]} (${+(st.fps * SPEEDS[every]).toFixed(2)} fps) paints every frame`;
  }
}

function setMark(st, m) {
  if (!st.editable) return;
  st.marks[m] = st.numbers[st.index];
  message(st, "", true); marksPanel(st); drawTimeline(st);
  if (m === "onset") paint(st, true);
}

function dirty(st) { return MARKS.some((m) => st.marks[m] !== st.saved[m]); }

function drop(st) {
  if (!st.editable) return;
  st.marks = { ...st.saved }; message(st, "unsaved marks dropped", true); marksPanel(st); drawTimeline(st); paint(st, true);
}

function save(st) {
  if (!st.editable) return;
  if (!st.annotator) { message(st, "type your name in the “Annotator” field, then press Enter here", false); return; }
  const m = st.marks;
  const order = MARKS.filter((k) => m[k] !== null && m[k] !== undefined);
  for (let k = 1; k < order.length; k++) {
    if (m[order[k - 1]] > m[order[k]]) { message(st, `${order[k - 1]} ${m[order[k - 1]]} is after ${order[k]} ${m[order[k]]} — not saved`, false); return; }
  }
  const seq = Math.floor(performance.now() * 1000) + 1;
  st.pendingSave = { seq, marks: { ...m } };
  message(st, "saving…", true);
  st.component.setTriggerValue("save", { clip: st.clipId, onset: m.onset, apex: m.apex, offset: m.offset, seq });
}

function message(st, text, ok) {
  const el = st.q(".gp-msg");
  el.textContent = text || "";
  el.className = "gp-msg " + (ok ? "gp-ok" : "gp-err");
}

// ------------------------------------------------------------------ playback

function togglePlay(st) { if (st.playing) pause(st); else play(st); }

function play(st) {
  if (!st.numbers.length) return;
  if (st.index >= st.numbers.length - 1 && !st.loop) st.index = 0;
  st.playing = true; st.playT0 = performance.now(); st.playI0 = st.index; st.lastPainted = null;
  counters().playing = true; startRate(st);
  st.q(".gp-play").textContent = "pause";
  cancelAnimationFrame(st.raf);
  st.raf = requestAnimationFrame((t) => tick(st, t));
}

function pause(st) {
  st.playing = false; counters().playing = false; cancelAnimationFrame(st.raf);
  st.q(".gp-play").textContent = "play"; header(st);
}

function loopBounds(st) {
  const on = st.marks.onset ?? sourceMark(st, "onset");
  const off = st.marks.offset ?? sourceMark(st, "offset");
  if (!st.loop || on === null || off === null || on === undefined || off === undefined) return [0, st.numbers.length - 1];
  const lo = st.numbers.findIndex((n) => n >= on);
  let hi = st.numbers.length - 1;
  while (hi > 0 && st.numbers[hi] > off) hi--;
  return [Math.max(0, lo), Math.max(lo, hi)];
}

function tick(st, now) {
  if (!st.playing) return;
  st.play.ticks += 1;
  const rate = st.fps * SPEEDS[st.speed];
  let target = st.playI0 + Math.floor(((now - st.playT0) / 1000) * rate);
  const [lo, hi] = loopBounds(st);
  if (target > hi || (st.loop && st.index < lo)) {
    if (!st.loop) { st.index = hi; paint(st); pause(st); return; }
    st.playT0 = now; st.playI0 = lo; st.index = lo; target = lo; // loop: back to the onset, painted below
    st.lastPainted = null; paint(st);
  }
  // Never run past a frame that is not decoded yet: wait for it (buffering), do not skip it.
  const ready = (i) => { const b = st.bitmaps.get(st.numbers[i]); return (b && b !== "pending") || st.missing.has(st.numbers[i]); };
  let i = st.index;
  while (i < target && ready(i + 1)) i++;
  if (i < target) { counters().stalls += 1; st.playT0 = now - ((i - st.playI0) / rate) * 1000; }
  if (i !== st.index) {
    const skipped = i - st.index - 1;
    if (skipped > 0 && st.index >= lo) counters().dropped += skipped;
    st.index = i; keepInView(st); paint(st);
  }
  ensureWindow(st);
  st.q(".gp-buffer").textContent = i < target ? "buffering…" : "";
  showRate(st, now);
  st.raf = requestAnimationFrame((t) => tick(st, t));
}

// ------------------------------------------------------------------ painting

function refNumber(st) { return st.marks.onset ?? sourceMark(st, "onset") ?? st.reference ?? st.numbers[0]; }

function sourceMark(st, m) {
  const src = st.tracks.find((t) => t.name === "source") || st.tracks[0];
  return src ? src[m] : null;
}

function sized(canvas, w, h) {
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
}

function viewSize(st, bmp) {
  const box = clamp(Math.floor(((st.root.clientWidth || 960) - 24 - 24 - 6) / 3), 160, 320);
  const w = bmp.width, h = bmp.height;
  const s = box / Math.max(w, h);
  return [Math.round(w * s), Math.round(h * s), s];
}

function drawFrame(st, canvas, num, withLm) {
  const ctx = canvas.getContext("2d");
  const bmp = st.bitmaps.get(num);
  if (!bmp || bmp === "pending") {
    const [bw, bh] = viewSize(st, { width: 1, height: 1 });
    sized(canvas, bw, bh); ctx.fillStyle = "#11141a"; ctx.fillRect(0, 0, bw, bh);
    const why = st.missing.get(num);
    ctx.fillStyle = why ? "#ff8a80" : "#9aa3b5"; ctx.font = "15px sans-serif"; ctx.textAlign = "center";
    ctx.fillText(why ? `frame ${num}: ${why}` : `loading frame ${num}…`, bw / 2, bh / 2);
    return null;
  }
  const [w, h, s] = viewSize(st, bmp);
  sized(canvas, w, h);
  ctx.imageSmoothingEnabled = true; ctx.imageSmoothingQuality = "high";
  ctx.drawImage(bmp, 0, 0, w, h);
  const pts = withLm && st.showLm ? st.landmarks.get(num) : null;
  if (pts) {
    ctx.fillStyle = "rgba(255,80,80,0.9)";
    for (const [x, y] of pts) { ctx.beginPath(); ctx.arc(x * s, y * s, 1.8, 0, 2 * Math.PI); ctx.fill(); }
  }
  return bmp;
}

let scratch = null;
function pixels(bmp, w, h) {
  if (!scratch) scratch = new OffscreenCanvas(w, h);
  if (scratch.width !== w || scratch.height !== h) { scratch.width = w; scratch.height = h; }
  const c = scratch.getContext("2d", { willReadFrequently: true });
  c.drawImage(bmp, 0, 0, w, h);
  return c.getImageData(0, 0, w, h);
}

function drawDiff(st, cur, ref) {
  const canvas = st.q(".gp-diff");
  const ctx = canvas.getContext("2d");
  if (!cur || !ref) { const [bw, bh] = viewSize(st, { width: 1, height: 1 }); sized(canvas, bw, bh); ctx.fillStyle = "#11141a"; ctx.fillRect(0, 0, bw, bh); return; }
  const w = cur.width, h = cur.height;
  const a = pixels(cur, w, h), b = pixels(ref, w, h);
  const out = ctx.createImageData(w, h);
  const g = st.gain;
  for (let p = 0; p < a.data.length; p += 4) {
    const d = (Math.abs(a.data[p] - b.data[p]) + Math.abs(a.data[p + 1] - b.data[p + 1]) + Math.abs(a.data[p + 2] - b.data[p + 2])) / 3;
    const v = Math.min(255, d * g);
    out.data[p] = v; out.data[p + 1] = v * 0.55; out.data[p + 2] = v * 0.15 + (v > 0 ? 20 : 0); out.data[p + 3] = 255;
  }
  if (!drawDiff.tmp) drawDiff.tmp = new OffscreenCanvas(w, h);
  const tmp = drawDiff.tmp;
  if (tmp.width !== w || tmp.height !== h) { tmp.width = w; tmp.height = h; }
  tmp.getContext("2d").putImageData(out, 0, 0);
  const [vw, vh] = viewSize(st, cur);
  sized(canvas, vw, vh);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, vw, vh);
}

function header(st) {
  const n = st.numbers.length;
  const num = st.numbers[st.index];
  st.q(".gp-frame").textContent = n ? `Frame ${num}` : "no frames";
  st.q(".gp-pos").textContent = n ? `${st.index + 1} / ${n} · ${st.fps} fps` : "";
  st.q(".gp-speedlabel").textContent = `${SPEED_NAMES[st.speed]} (${+(st.fps * SPEEDS[st.speed]).toFixed(2)} fps)` + (st.playing ? " · playing" : "");
  st.root.dataset.frame = n ? String(num) : "";
}

function marksPanel(st) {
  for (const m of MARKS) {
    st.q(`.gp-v-${m}`).textContent = st.marks[m] ?? "–";
    st.q(`.gp-m-${m}`).classList.toggle("gp-dirty", st.marks[m] !== st.saved[m]);
  }
}

function paint(st, force) {
  const num = st.numbers[st.index];
  if (num === undefined) { header(st); return; }
  if (!force && st.lastPainted === num) return;
  header(st); marksPanel(st);
  const cur = drawFrame(st, st.q(".gp-cur"), num, st.source === "frames");
  const refNum = refNumber(st);
  const ref = drawFrame(st, st.q(".gp-ref"), refNum, false);
  if (ref) counters().ref = refNum;
  st.q(".gp-cap-ref").textContent = "onset " + (refNum ?? "–");
  drawDiff(st, cur, ref);
  drawCursor(st);
  if (cur) {
    const c = counters();
    if (st.lastPainted !== num) c.painted += 1;
    st.lastPainted = num; c.frame = num; c.index = st.index; c.clip = st.clipId;
    if (c.firstPaintMs === null) c.firstPaintMs = performance.now() - c.mountedAt;
    if (!st.shown) { st.shown = true; setTimeout(() => ensureWindow(st), 0); } // now the frames ahead
    if (st.stepAt !== null) {
      const t0 = st.stepAt; st.stepAt = null;
      requestAnimationFrame(() => { c.steps.push(performance.now() - t0); });
    }
  }
}

// ------------------------------------------------------------------ timeline

function tlLayout(st) {
  const rows = [{ kind: "ruler", h: 22 }];
  // the annotator's saved coding is their own lane (saved or not): never a second lane beside it
  const own = (t) => st.editable && st.annotator && t.name === st.annotator;
  for (const t of st.tracks) if (!own(t)) rows.push({ kind: "track", track: t, h: 18 });
  if (st.editable) rows.push({ kind: "mine", h: 18 });
  for (const c of st.curves) rows.push({ kind: "curve", curve: c, h: 34 });
  let y = 0;
  for (const r of rows) { r.y = y; y += r.h + 3; }
  return { rows, height: y + 4 };
}

function xOf(st, i, width) {
  const { lo, hi } = st.view;
  return GUTTER + ((i - lo) / Math.max(1e-9, hi - lo)) * (width - GUTTER - 8);
}

function iOf(st, x, width) {
  const { lo, hi } = st.view;
  return lo + ((x - GUTTER) / Math.max(1, width - GUTTER - 8)) * (hi - lo);
}

function indexOfNumber(st, num) {
  // frame numbers are sorted: binary search for the nearest position
  const a = st.numbers; let lo = 0, hi = a.length - 1;
  if (!a.length || num === null || num === undefined) return null;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] < num) lo = mid + 1; else hi = mid; }
  return lo;
}

function drawTimeline(st) {
  const canvas = st.q(".gp-tl"), over = st.q(".gp-tlc");
  const width = Math.max(300, st.q(".gp-timeline").clientWidth || 800);
  const { rows, height } = tlLayout(st);
  const dpr = window.devicePixelRatio || 1;
  for (const c of [canvas, over]) { c.width = width * dpr; c.height = height * dpr; c.style.width = width + "px"; c.style.height = height + "px"; }
  st.tl = { width, height, rows };
  counters().lanes = rows.filter((r) => r.kind === "track" || r.kind === "mine")
    .map((r) => (r.kind === "mine" ? st.annotator || "you" : r.track.name));
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = "12px sans-serif"; ctx.textBaseline = "middle";
  const { lo, hi } = st.view;
  let ti = 0, ci = 0;
  for (const r of rows) {
    ctx.fillStyle = "#f5f7fa"; ctx.fillRect(GUTTER, r.y, width - GUTTER - 8, r.h);
    ctx.fillStyle = "#5f6675"; ctx.textAlign = "right";
    if (r.kind === "ruler") {
      ctx.fillText("frame", GUTTER - 8, r.y + r.h / 2);
      const span = Math.max(1, st.numbers[Math.round(hi)] - st.numbers[Math.round(lo)]);
      const stepN = niceStep(span / 10);
      ctx.textAlign = "center"; ctx.strokeStyle = "#b8bfcc";
      const first = Math.ceil(st.numbers[Math.round(lo)] / stepN) * stepN;
      for (let num = first; num <= st.numbers[Math.round(hi)]; num += stepN) {
        const x = xOf(st, indexOfNumber(st, num), width);
        ctx.beginPath(); ctx.moveTo(x, r.y + r.h - 6); ctx.lineTo(x, r.y + r.h); ctx.stroke();
        ctx.fillStyle = "#3c4350"; ctx.fillText(String(num), x, r.y + 8);
      }
    } else if (r.kind === "track" || r.kind === "mine") {
      const t = r.kind === "mine" ? { name: `${st.annotator || "you"}${dirty(st) ? " (unsaved)" : ""}`, ...st.marks } : r.track;
      const color = r.kind === "mine" ? "#37474f" : t.name === "source" ? "#78909c" : TRACK_COLORS[ti++ % TRACK_COLORS.length];
      ctx.fillText(t.name.length > 15 ? t.name.slice(0, 14) + "…" : t.name, GUTTER - 8, r.y + r.h / 2);
      for (const bar of t.bars || []) drawBar(st, ctx, r, bar, color, width, false);
      if (t.bars) continue;
      const on = indexOfNumber(st, t.onset), off = indexOfNumber(st, t.offset), ap = indexOfNumber(st, t.apex);
      if (on !== null && off !== null && off >= st.view.lo && on <= st.view.hi) {
        const x0 = Math.max(GUTTER, xOf(st, on, width)), x1 = Math.min(width - 8, xOf(st, off, width));
        ctx.fillStyle = color + "55"; ctx.fillRect(x0, r.y + 3, Math.max(2, x1 - x0), r.h - 6);
        ctx.strokeStyle = color; ctx.lineWidth = 1.5;
        if (r.kind === "mine" && dirty(st)) ctx.setLineDash([4, 3]);
        ctx.strokeRect(x0, r.y + 3, Math.max(2, x1 - x0), r.h - 6); ctx.setLineDash([]);
      }
      for (const [m, idx] of [["onset", on], ["apex", ap], ["offset", off]]) {
        if (idx === null || idx < st.view.lo || idx > st.view.hi) continue;
        const x = xOf(st, idx, width);
        ctx.fillStyle = COLORS[m]; ctx.fillRect(x - (m === "apex" ? 1.5 : 1), r.y + 1, m === "apex" ? 3 : 2, r.h - 2);
      }
    } else if (r.kind === "curve") {
      const color = CURVE_COLORS[ci++ % CURVE_COLORS.length];
      ctx.fillText(r.curve.name.length > 15 ? r.curve.name.slice(0, 14) + "…" : r.curve.name, GUTTER - 8, r.y + r.h / 2);
      drawCurve(st, ctx, r, r.curve, color, width);
    }
  }
  drawCursor(st);
}

function drawBar(st, ctx, r, bar, color, width) {
  // one interval of a recording: onset–offset bar, apex tick (only where it is in view)
  const on = indexOfNumber(st, bar.onset), off = indexOfNumber(st, bar.offset);
  if (on === null || off === null || off < st.view.lo || on > st.view.hi) return;
  const x0 = Math.max(GUTTER, xOf(st, on, width)), x1 = Math.min(width - 8, xOf(st, off, width));
  ctx.fillStyle = color + (bar.type === "macro" ? "33" : "66"); ctx.fillRect(x0, r.y + 3, Math.max(2, x1 - x0), r.h - 6);
  ctx.strokeStyle = color; ctx.lineWidth = 1; ctx.strokeRect(x0, r.y + 3, Math.max(2, x1 - x0), r.h - 6);
  const ap = indexOfNumber(st, bar.apex);
  if (ap !== null && ap >= st.view.lo && ap <= st.view.hi) { ctx.fillStyle = COLORS.apex; ctx.fillRect(xOf(st, ap, width) - 1, r.y + 1, 2, r.h - 2); }
}

function drawCurve(st, ctx, r, curve, color, width) {
  const vals = curve.values || [];
  const nums = curve.numbers;
  const idx = nums ? nums.map((n) => indexOfNumber(st, n)) : vals.map((_, i) => i);
  let top = 0;
  for (const v of vals) if (v > top) top = v;
  if (top <= 0) top = 1;
  ctx.strokeStyle = color; ctx.lineWidth = 1.4; ctx.beginPath();
  let started = false, lastX = -1, colMax = -Infinity;
  for (let k = 0; k < vals.length; k++) {
    const i = idx[k];
    if (i < st.view.lo - 1 || i > st.view.hi + 1) continue;
    const x = Math.round(clamp(xOf(st, i, width), GUTTER, width - 8));
    const y = r.y + r.h - 2 - (vals[k] / top) * (r.h - 4);
    if (x === lastX) { if (y < colMax) { ctx.lineTo(x, y); colMax = y; } continue; }
    lastX = x; colMax = y;
    if (!started) { ctx.moveTo(x, y); started = true; } else ctx.lineTo(x, y);
  }
  ctx.stroke();
}

function niceStep(raw) {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(1, raw))));
  for (const m of [1, 2, 5, 10]) if (raw <= m * p) return Math.max(1, m * p);
  return 10 * p;
}

function drawCursor(st) {
  if (!st.tl) return;
  const over = st.q(".gp-tlc");
  const ctx = over.getContext("2d");
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, st.tl.width, st.tl.height);
  if (!st.numbers.length) return;
  const x = xOf(st, st.index, st.tl.width);
  if (x < GUTTER || x > st.tl.width - 8) return;
  ctx.strokeStyle = "#111"; ctx.lineWidth = 1.5; ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, st.tl.height); ctx.stroke();
  ctx.fillStyle = "#111"; ctx.font = "bold 11px sans-serif"; ctx.textAlign = x > st.tl.width - 60 ? "right" : "left";
  ctx.fillText(String(st.numbers[st.index]), x + (ctx.textAlign === "left" ? 4 : -4), st.tl.height - 6);
}

function keepInView(st) {
  const { lo, hi } = st.view;
  if (st.index >= lo && st.index <= hi) return;
  const span = hi - lo;
  const nlo = clamp(st.index - span * 0.1, 0, Math.max(0, st.numbers.length - 1 - span));
  st.view = { lo: nlo, hi: nlo + span };
  drawTimeline(st);
}

function setupTimeline(st) {
  const over = st.q(".gp-tlc");
  let dragging = false;
  const seekAt = (e) => {
    const rect = over.getBoundingClientRect();
    const x = e.clientX - rect.left;
    if (x < GUTTER - 4) return;
    if (st.playing) pause(st);
    seek(st, iOf(st, x, st.tl.width));
  };
  over.addEventListener("pointerdown", (e) => { dragging = true; over.setPointerCapture(e.pointerId); seekAt(e); st.root.focus({ preventScroll: true }); });
  over.addEventListener("pointermove", (e) => { if (dragging) seekAt(e); });
  over.addEventListener("pointerup", () => { dragging = false; });
  over.addEventListener("dblclick", () => { st.view = { lo: 0, hi: Math.max(1, st.numbers.length - 1) }; drawTimeline(st); });
  over.addEventListener("wheel", (e) => {
    e.preventDefault();
    const n = st.numbers.length;
    const { lo, hi } = st.view;
    const span = hi - lo;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      const d = ((e.shiftKey ? e.deltaY : e.deltaX) / 400) * span;
      const nlo = clamp(lo + d, 0, Math.max(0, n - 1 - span));
      st.view = { lo: nlo, hi: nlo + span };
    } else {
      const rect = over.getBoundingClientRect();
      const at = iOf(st, e.clientX - rect.left, st.tl.width);
      const f = Math.exp(e.deltaY / 300);
      const nspan = clamp(span * f, Math.min(20, n - 1), Math.max(1, n - 1));
      const nlo = clamp(at - (at - lo) * (nspan / span), 0, Math.max(0, n - 1 - nspan));
      st.view = { lo: nlo, hi: nlo + nspan };
    }
    drawTimeline(st);
  }, { passive: false });
}

export default function (component) {
  const { parentElement, data } = component;
  const root = parentElement.querySelector(".gp");
  let st = STATES.get(root);
  if (!st) {
    st = create(root, component);
    STATES.set(root, st);
    root.focus({ preventScroll: true });
  }
  st.component = component;
  merge(st, readPayload(data || {}));
  return () => { cancelAnimationFrame(st.raf); };
}
