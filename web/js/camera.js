// Camera scanner: reads QR codes with the device camera (getUserMedia), ten
// frames a second drawn to a canvas and decoded in the page by jsQR
// (web/vendor/jsQR.js, Apache-2.0), and feeds every new text to the
// engine's Collector (airgap.scan: BC-UR, BBQr, Specter pMofN or one static
// code) with a progress bar of the parts received. Falls back to a file
// upload (a PSBT or transaction file from an SD card, binary or text:
// airgap.readFile).
//
//   import { cameraScanner } from "./camera.js";
//   const scan = cameraScanner(app, { label: "Scan the signed PSBT", onResult: (payload) => ... });
//   container.append(scan.el);
import { t } from "./i18n.js";
import { fileBase64, h, newId, showError } from "./ui.js";

let jsQRLoading = null;

/** Loads the vendored jsQR (a classic script that sets self.jsQR). */
export function loadJsQR() {
  if (self.jsQR) return Promise.resolve(self.jsQR);
  if (!jsQRLoading) {
    jsQRLoading = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = "/vendor/jsQR.js";
      s.onload = () => (self.jsQR ? resolve(self.jsQR) : reject(new Error(t("the QR decoder did not load"))));
      s.onerror = () => { jsQRLoading = null; reject(new Error(t("the QR decoder could not be loaded: reload the app"))); };
      document.head.append(s);
    });
  }
  return jsQRLoading;
}

let sessions = 0;


/**
 * A camera scanner with a file-upload fallback. opts: label (the heading of
 * the scanner), level (that heading's level, 3; 2 where the scanner sits
 * right under the screen's h1, so that heading levels go down one at a
 * time), onResult(payload) (airgap.scan's payload: kind, psbt, hex,
 * text...), fps (10). Returns {el, stop()}.
 */
export function cameraScanner(app, opts) {
  sessions += 1;
  const session = `scan-${Date.now()}-${sessions}`;
  const fps = opts.fps || 10;
  const state = { stream: null, timer: null, last: "", busy: false, done: false };
  const video = h("video", { class: "camera-video", muted: true, playsinline: true, "aria-label": t("Camera view") });
  video.muted = true;
  video.hidden = true;
  const grab = document.createElement("canvas");
  const progress = h("progress", { max: "1", value: "0", "data-testid": "scan-progress", "aria-label": t("Parts received") });
  const status = h("p", { class: "camera-status", role: "status", "data-testid": "scan-status", text: t("The camera is off.") });
  const errSlot = h("div");
  const start = h("button", { type: "button", text: t("Start the camera") });
  const stopBtn = h("button", { type: "button", class: "secondary", text: t("Stop the camera"), hidden: true });
  const upload = h("input", { type: "file", id: newId("upload"), name: "scan-file", accept: ".psbt,.txn,.txt,.json,application/octet-stream,text/plain" });

  function stop() {
    clearTimeout(state.timer);
    state.timer = null;
    if (state.stream) for (const track of state.stream.getTracks()) track.stop();
    state.stream = null;
    video.hidden = true;
    start.hidden = false;
    stopBtn.hidden = true;
  }

  function finish(payload) {
    state.done = true;
    stop();
    progress.value = 1;
    status.textContent = t("Scanned: {what}", { what: describe(payload) });
    opts.onResult(payload);
  }

  async function feed(text) {
    const res = await app.call("airgap.scan", { session, part: text });
    if (res.refused) {
      status.textContent = t("Skipped a code: {reason}", { reason: res.refused });
      return;
    }
    progress.value = res.fraction || 0;
    status.textContent = res.complete ? t("All parts received.")
      : res.total ? t("Parts received: {received} of {total}.", { received: res.received, total: res.total }) : t("Parts received: {received}.", { received: res.received });
    if (res.complete && res.payload) finish(res.payload);
  }

  async function loop() {
    if (!state.stream) return;
    if (!el.isConnected) { stop(); app.call("airgap.cancel", { session }).catch(() => {}); return; }
    const started = performance.now();
    try {
      if (video.readyState >= 2 && video.videoWidth > 0) {
        const scale = Math.min(1, 800 / video.videoWidth);
        const w = Math.round(video.videoWidth * scale);
        const hh = Math.round(video.videoHeight * scale);
        if (grab.width !== w) grab.width = w;
        if (grab.height !== hh) grab.height = hh;
        const ctx = grab.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(video, 0, 0, w, hh);
        const img = ctx.getImageData(0, 0, w, hh);
        const code = self.jsQR(img.data, w, hh, { inversionAttempts: "attemptBoth" });
        if (code && code.data && code.data !== state.last) {
          state.last = code.data;
          await feed(code.data);
        }
      }
    } catch (err) {
      showError(errSlot, err);
    }
    if (state.stream && !state.done) {
      state.timer = setTimeout(loop, Math.max(0, 1000 / fps - (performance.now() - started)));
    }
  }

  start.addEventListener("click", async () => {
    showError(errSlot, null);
    state.done = false;
    state.last = "";
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw Object.assign(new Error(t("this browser gives no camera access here")), { hint: t("open the app over https or on localhost, or load the file instead") });
      }
      await loadJsQR();
      state.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment", width: { ideal: 1280 } }, audio: false });
      video.srcObject = state.stream;
      video.hidden = false;
      await video.play();
      start.hidden = true;
      stopBtn.hidden = false;
      status.textContent = t("Looking for a QR code…");
      stopBtn.focus();
      loop();
    } catch (err) {
      stop();
      if (err && err.name === "NotAllowedError") err.hint = t("allow the camera for this app in the browser's site settings, or load the file instead");
      else if (err && err.name === "NotFoundError") err.hint = t("connect a camera, or load the file instead");
      showError(errSlot, err);
    }
  });
  stopBtn.addEventListener("click", () => { stop(); status.textContent = t("The camera is off."); start.focus(); });
  upload.addEventListener("change", async () => {
    showError(errSlot, null);
    const file = upload.files && upload.files[0];
    if (!file) return;
    try {
      const payload = await app.call("airgap.readFile", { base64: await fileBase64(file) });
      finish(payload);
    } catch (err) {
      showError(errSlot, err);
    }
    upload.value = "";
  });

  const el = h("section", { class: "camera panel", "aria-label": opts.label || t("Scan a QR code") },
    h(`h${opts.level || 3}`, { text: opts.label || t("Scan a QR code") }),
    h("div", { class: "actions" }, start, stopBtn),
    video,
    h("div", { class: "field" }, h("label", { text: t("Parts received"), for: newId("unused") }), progress),
    status,
    h("div", { class: "field" }, h("label", { for: upload.id, text: t("Or load the file (SD card or download)") }), upload),
    errSlot);
  // The progress label points at the bar.
  const lab = el.querySelector("label");
  progress.id = newId("progress");
  lab.setAttribute("for", progress.id);
  return { el, stop, session };
}

/** One line on what a scan or file held. */
export function describe(payload) {
  switch (payload.kind) {
    case "psbt": return payload.source ? t("a PSBT ({source})", { source: payload.source }) : t("a PSBT");
    case "transaction": return t("a signed transaction");
    case "wallet-setup": return t("a wallet setup");
    case "keys": return t("keys");
    default: return payload.kind;
  }
}
