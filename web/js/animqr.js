// Animated QR display: shows the frames of a PSBT or a wallet setup (BC-UR
// BCR-2020-005, BBQr, Specter's pMofN, one static code; the engine's
// airgap.frames or airgap.register make them) one after the other on a
// canvas, with a density control (low, medium, high: how much each frame
// carries), a speed control (frames per second), pause, the frame counter
// as text, and a "download as file" fallback for signers without a camera.
//
//   import { animatedQR } from "./animqr.js";
//   const qr = animatedQR({
//     label: "PSBT for Keystone",
//     load: ({ density }) => app.call("airgap.frames", { psbt, format: "ur", density }).then((r) => r.frames),
//     file: async () => ({ filename: "tx.psbt", data: bytes, mime: "application/octet-stream" }),
//   });
//   container.append(qr.el);
//
// The canvas carries the current frame's text in data-frame (and its
// position in data-index, the count in data-count) for tests and tools.
import { drawQR, encodeQR } from "./qr.js";
import { t } from "./i18n.js";
import { h, newId, showError } from "./ui.js";

const SPEEDS = [1, 2, 3, 4, 6, 8, 10];
const DENSITIES = () => [["low", t("Low (small frames, easiest to scan)")], ["medium", t("Medium")], ["high", t("High (fewest frames)")]];

/** Draws one QR text on a canvas about px pixels wide. */
export function drawText(canvas, text, px = 360) {
  const qr = encodeQR(text, "L");
  const scale = Math.max(2, Math.floor(px / (qr.size + 8)));
  drawQR(canvas, qr, { scale });
  return qr;
}

/**
 * An animated QR code. opts: label (what it shows, for the accessible name),
 * load({density}) -> Promise<string[]> (the frames), density ("medium"),
 * fps (4), densities (false to hide the density control), file (async () ->
 * {filename, data: Uint8Array|string, mime}) for the download fallback, and
 * testid for the canvas. Returns {el, stop(), frames()}.
 */
export function animatedQR(opts) {
  const state = { frames: [], index: 0, fps: opts.fps || 4, density: opts.density || "medium", paused: false, timer: null, connected: false };
  const canvas = h("canvas", { class: "animqr-canvas", role: "img", "data-testid": opts.testid || "animqr-canvas", "aria-label": opts.label || t("QR code") });
  const counter = h("p", { class: "animqr-counter", "data-testid": "animqr-counter" });
  const errSlot = h("div");
  const pause = h("button", { type: "button", class: "secondary", text: t("Pause") });
  const prev = h("button", { type: "button", class: "secondary", text: t("Previous part"), hidden: true });
  const next = h("button", { type: "button", class: "secondary", text: t("Next part"), hidden: true });

  const speed = h("select", { id: newId("speed"), name: "qr-speed" },
    SPEEDS.map((s) => h("option", { value: String(s), text: t("{n} per second", { n: s }), selected: s === state.fps })));
  speed.value = String(state.fps);
  const density = h("select", { id: newId("density"), name: "qr-density" },
    DENSITIES().map(([v, label]) => h("option", { value: v, text: label })));
  density.value = state.density;

  function show() {
    const n = state.frames.length;
    if (!n) return;
    const text = state.frames[state.index % n];
    try {
      drawText(canvas, text);
    } catch (err) {
      showError(errSlot, err);
      return;
    }
    canvas.dataset.frame = text;
    canvas.dataset.index = String(state.index % n);
    canvas.dataset.count = String(n);
    const part = { part: (state.index % n) + 1, n };
    const label = n === 1 ? t("one QR code") : t("part {part} of {n}", part);
    counter.textContent = n === 1 ? t("One QR code: nothing to animate.") : state.paused ? t("Showing part {part} of {n} (paused)", part) : t("Showing part {part} of {n}", part);
    canvas.setAttribute("aria-label", t("{what}, {part}", { what: opts.label || t("QR code"), part: label }));
  }

  function tick() {
    if (canvas.isConnected) state.connected = true;
    else if (state.connected) { stop(); return; } // the screen was left
    if (!state.paused && state.frames.length > 1) {
      state.index = (state.index + 1) % state.frames.length;
      show();
    }
  }

  function restart() {
    clearInterval(state.timer);
    state.timer = setInterval(tick, Math.round(1000 / state.fps));
  }

  function stop() {
    clearInterval(state.timer);
    state.timer = null;
  }

  async function load() {
    showError(errSlot, null);
    try {
      const frames = await opts.load({ density: state.density });
      state.frames = frames;
      state.index = 0;
      show();
      const multi = frames.length > 1;
      pause.hidden = !multi;
      prev.hidden = !(multi && state.paused);
      next.hidden = !(multi && state.paused);
      speed.closest(".field").hidden = !multi;
      restart();
    } catch (err) {
      showError(errSlot, err);
    }
  }

  pause.addEventListener("click", () => {
    state.paused = !state.paused;
    pause.textContent = state.paused ? t("Play") : t("Pause");
    prev.hidden = !state.paused;
    next.hidden = !state.paused;
    show();
  });
  prev.addEventListener("click", () => { state.index = (state.index - 1 + state.frames.length) % state.frames.length; show(); });
  next.addEventListener("click", () => { state.index = (state.index + 1) % state.frames.length; show(); });
  speed.addEventListener("change", () => { state.fps = Number(speed.value) || 4; restart(); });
  density.addEventListener("change", () => { state.density = density.value; load(); });

  let download = null;
  if (opts.file) {
    download = h("button", { type: "button", class: "secondary", text: t("Download as a file") });
    download.addEventListener("click", async () => {
      try {
        const f = await opts.file();
        const url = URL.createObjectURL(new Blob([f.data], { type: f.mime || "application/octet-stream" }));
        const a = h("a", { href: url, download: f.filename, class: "visually-hidden" });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
      } catch (err) {
        showError(errSlot, err);
      }
    });
  }

  const controls = h("div", { class: "animqr-controls" },
    opts.densities === false ? null : fieldOf(t("QR density"), density),
    fieldOf(t("Speed"), speed),
    h("div", { class: "actions" }, pause, prev, next, download));
  const el = h("figure", { class: "animqr" }, canvas, h("figcaption", {}, counter, controls, errSlot));
  load();
  return { el, stop, frames: () => state.frames.slice(), reload: load };
}

function fieldOf(label, input) {
  return h("div", { class: "field" }, h("label", { for: input.id, text: label }), input);
}
