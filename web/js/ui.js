// Small DOM helpers for the views: an element builder (no innerHTML, so
// nothing the user or a file typed is ever parsed as HTML), form fields with
// labels, error boxes with the engine's message and hint, amounts, files.
// Their own words go through i18n.js's t(); the texts callers pass in are
// translated by the callers.
import { t } from "./i18n.js";

/**
 * Builds an element. attrs: "class", "text", "for", on<event> handlers,
 * booleans (true sets the attribute, false omits it), anything else as an
 * attribute. Children: nodes, strings, arrays, null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") el.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

/** Appends children to el, skipping null/false and flattening arrays as h
 * does (the DOM's own append would write "null"). */
export function add(el, ...children) {
  append(el, children);
}

/** Replaces el's children, skipping null/false as h does (the DOM's own
 * replaceChildren would write "null"). */
export function setChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

let uid = 0;
/** A unique id for label/for pairs. */
export function newId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * A labelled form field. input is an element (input, select, textarea);
 * help, when given, is linked with aria-describedby.
 */
export function field(label, input, help) {
  if (!input.id) input.id = newId();
  const parts = [h("label", { for: input.id, text: label }), input];
  if (help) {
    const hid = newId("help");
    input.setAttribute("aria-describedby", hid);
    parts.push(h("p", { class: "help", id: hid, text: help }));
  }
  return h("div", { class: "field" }, parts);
}

/** A box that shows an error: the message, and the hint when there is one. */
export function errorBox(err) {
  const message = err && err.message ? err.message : String(err);
  const hint = err && err.hint ? err.hint : "";
  return h("div", { class: "error", role: "alert" },
    h("p", { class: "error-message", text: message }),
    hint ? h("p", { class: "error-hint", text: t("What to do: {hint}", { hint }) }) : null);
}

/** Replaces the contents of slot with an error box for err (or clears it). */
export function showError(slot, err) {
  slot.replaceChildren(err ? errorBox(err) : "");
}

/** Formats satoshis in the chosen units ("btc" or "sats"). */
export function formatAmount(sats, units = "btc") {
  const n = Number(sats || 0);
  if (units === "sats") return n.toLocaleString("en-US") + " sats";
  const neg = n < 0;
  const abs = Math.abs(n);
  const whole = Math.floor(abs / 1e8);
  const frac = String(abs % 1e8).padStart(8, "0");
  return (neg ? "-" : "") + whole + "." + frac + " BTC";
}

/** Offers text or bytes (a Uint8Array) as a file download. */
export function download(filename, data, type = "application/json") {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = h("a", { href: url, download: filename, class: "visually-hidden" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Encodes bytes as base64 (the engine's JSON carries binary data so), in
 * chunks so a large file does not overflow String.fromCharCode's arguments. */
export function bytesToBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Reads a File into base64 (the engine's airgap.readFile takes it so). */
export async function fileBase64(file) {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()));
}

/** Offers a file the engine made ({filename, data: base64, mime}) as a download. */
export function downloadFile(f) {
  download(f.filename, base64ToBytes(f.data), f.mime || "application/octet-stream");
}

/** Decodes base64 from the engine into bytes. */
export function base64ToBytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Reads a File as text. */
export function readFile(file) {
  return file.text();
}

/** A heading that takes the focus when a screen opens. */
export function heading(text, level = 1) {
  return h("h" + level, { tabindex: "-1", text });
}

/**
 * A button that asks once more before it runs action (no modal dialogs).
 * attrs.yes is the confirming button's text, translated whole (languages
 * do not all lower-case a label inside a sentence); without it the text is
 * "Yes, " and the label in lower case.
 */
export function confirmButton(label, question, action, attrs = {}) {
  const { yes: yesText, ...rest } = attrs;
  const wrap = h("span", { class: "confirm" });
  const first = h("button", { type: "button", class: rest.class || "danger", ...rest, text: label });
  first.addEventListener("click", () => {
    const yes = h("button", { type: "button", class: "danger", text: yesText || t("Yes, {action}", { action: label.toLowerCase() }) });
    const no = h("button", { type: "button", class: "secondary", text: t("Cancel") });
    const q = h("span", { class: "confirm-question", text: question + " " });
    no.addEventListener("click", () => { wrap.replaceChildren(first); first.focus(); });
    yes.addEventListener("click", () => action());
    wrap.replaceChildren(q, yes, " ", no);
    no.focus();
  });
  wrap.append(first);
  return wrap;
}

/** A definition list from [term, value] pairs. */
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).map(([k, v]) => [h("dt", { text: k }), h("dd", {}, v)]));
}

/** A table with a caption, headers and rows of cells (nodes or text). */
export function table(caption, headers, rows, empty = t("Nothing yet.")) {
  if (!rows.length) return h("p", { class: "empty", text: empty });
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, headers.map((th) => h("th", { scope: "col", text: th })))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c)))))));
}

/** Copies text to the clipboard and says so in the live region. */
export async function copyText(text, announce) {
  try {
    await navigator.clipboard.writeText(text);
    announce?.(t("Copied."));
  } catch {
    announce?.(t("Copying is not allowed here; select the text and copy it."));
  }
}
