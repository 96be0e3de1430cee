// Specter PWA: the app shell. It starts the engine (Go in WebAssembly, in a
// Web Worker: js/engine-client.js), routes by URL hash to the screens of
// Specter Desktop's blueprints (#/welcome, #/devices, #/wallets,
// #/settings), keeps the status bar live (relay /healthz, the chosen node,
// offline badge), and registers the service worker (sw.js) that makes the
// app load with no network and offers updates without forcing them. Its
// words, and the views', go through js/i18n.js (the config's language).
import { createEngine } from "./js/engine-client.js";
import * as i18n from "./js/i18n.js";
import { t, tDom } from "./js/i18n.js";
import { Relay } from "./js/relay.js";
import { errorBox, h } from "./js/ui.js";
import * as welcome from "./js/views/welcome.js";
import * as devices from "./js/views/devices.js";
import * as wallets from "./js/views/wallets.js";
import * as settings from "./js/views/settings.js";
import * as psbt from "./js/views/psbt.js";
import * as send from "./js/views/send.js";

const main = document.getElementById("main");
const announceEl = document.getElementById("announce");

const app = {
  engine: null,
  relay: Relay.load(), // this page's relay, or the one chosen by URL on #/welcome
  relayUp: null, // null unknown, true, false
  auth: null, // {needs_setup, user}
  config: null,
  methods: new Set(),
  announce(text) {
    announceEl.textContent = "";
    setTimeout(() => { announceEl.textContent = text; }, 30);
  },
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  call(method, params = {}, opts = {}) {
    // Node calls go to the chosen relay (another one: its URL and token).
    return app.engine.call(method, app.relay.nodeParams(params), opts);
  },
  async loadConfig() {
    app.config = await app.call("config.get");
    return app.config;
  },
  refreshStatus: () => refreshStatus(),
  restartEngine: () => startEngine(),
  // setLanguage loads the catalogue of a BCP 47 tag (fallbacks "pt-BR" ->
  // "pt" -> English), translates the page's static text and the status bar
  // and draws the current screen again. It returns the tag in use.
  async setLanguage(tag) {
    const used = await applyLanguage(tag);
    app.nodeRecheck();
    route();
    return used;
  },
  // i18n: the translation functions, and useCatalogue(tag, map), which makes
  // an in-memory catalogue (English message -> translation) active and draws
  // everything again: the end-to-end tests inject a pseudo-locale with it.
  i18n: {
    t: i18n.t,
    tn: i18n.tn,
    language: i18n.language,
    available: () => i18n.availableLanguages(),
    useCatalogue(tag, catalogue) {
      i18n.useCatalogue(tag, catalogue);
      translateStatic();
      app.nodeRecheck();
      route();
    },
  },
};
window.specterApp = app; // for debugging and the end-to-end tests

// translateStatic translates index.html's data-i18n elements: their English
// text, kept in data-i18n the first time, is the message id.
function translateStatic() {
  for (const el of document.querySelectorAll("[data-i18n]")) {
    if (!el.dataset.i18n) el.dataset.i18n = el.textContent.trim();
    el.textContent = t(el.dataset.i18n);
  }
  document.querySelector("header nav")?.setAttribute("aria-label", t("Main"));
  document.documentElement.lang = i18n.language();
}

// applyLanguage makes a tag's catalogue active (English when there is none).
async function applyLanguage(tag) {
  const used = await i18n.setLanguage(tag || i18n.ENGLISH);
  translateStatic();
  return used;
}

// Routes: first path segment -> view module.
const views = { welcome, devices, wallets, settings, psbt, send };

let renderSeq = 0;
let renderedLanguage = null; // the language of the screen on display
async function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) {
    location.replace(localStorage.getItem("specter.welcomed") ? "#/wallets" : "#/welcome");
    return;
  }
  const view = views[parts[0]];
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === parts[0]) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const seq = ++renderSeq;
  const container = h("div", { class: "view" });
  if (!view) {
    container.append(h("h1", { tabindex: "-1", text: t("Not found") }),
      h("p", {}, tDom("There is no screen at {hash}. {link}", { hash: h("code", { text: location.hash }), link: h("a", { href: "#/wallets", text: t("Go to the wallets") }) })));
  } else {
    try {
      if (parts[0] !== "welcome") await app.engineReady;
      await view.render(container, app, parts.slice(1));
    } catch (err) {
      container.append(errorBox(err));
    }
  }
  if (seq !== renderSeq) return; // a newer route won
  main.replaceChildren(container);
  renderedLanguage = i18n.language();
  const title = container.querySelector("h1");
  document.title = (title ? title.textContent + " · " : "") + "Specter";
  // Focus management: the new screen's heading takes the focus (screen
  // readers announce it), unless the view focused a field itself.
  if (!main.contains(document.activeElement) || document.activeElement === main) (title || main).focus();
}

function startEngine() {
  if (app.engine) app.engine.terminate();
  app.engine = createEngine(new URL("/js/engine-worker.js", location.href));
  app.engineReady = app.engine.ready.then(async (info) => {
    app.engineInfo = info;
    if (info.storage !== "indexeddb") {
      const err = new Error(t("the app's storage is not available: {reason}", { reason: info.storage_error || info.storage }));
      err.hint = t("allow site data for this app (private windows may block it), close other tabs of the app and reload");
      throw err;
    }
    try {
      const ms = await app.call("engine.methods");
      for (const m of ms.methods || ms) app.methods.add(m.name || m);
    } catch {
      // older engine: no method list
    }
    await app.loadConfig();
    // The config's language: screens waiting for the engine draw in it; one
    // already on display (the welcome screen) is drawn again.
    await applyLanguage(app.config && app.config.language);
    if (renderedLanguage !== null && renderedLanguage !== i18n.language()) {
      app.nodeRecheck();
      route();
    }
    return info;
  });
  return app.engineReady;
}

// ---- status bar ----
const relayEl = document.getElementById("relay-state");
const nodeEl = document.getElementById("node-state");
const userEl = document.getElementById("user-state");
const offlineEl = document.getElementById("offline-badge");

function setState(el, state, text) {
  if (el.dataset.state !== state || el.textContent !== text) {
    el.dataset.state = state;
    el.textContent = text;
  }
}

let nodeCheckedAt = 0;
async function refreshStatus() {
  // Another relay chosen by URL is named by its host.
  const host = app.relay.remote ? app.relay.host : "";
  if (host) relayEl.title = app.relay.origin;
  else relayEl.removeAttribute("title");
  try {
    const health = await app.relay.health();
    app.relayUp = health.status === "ok";
    if (host) setState(relayEl, app.relayUp ? "ok" : "down", app.relayUp ? t("Relay {host}: reachable", { host }) : t("Relay {host}: {status}", { host, status: health.status }));
    else setState(relayEl, app.relayUp ? "ok" : "down", app.relayUp ? t("Relay: reachable") : t("Relay: {status}", { status: health.status }));
  } catch (err) {
    app.relayUp = false;
    if (!host) setState(relayEl, "down", t("Relay: not reachable"));
    else if (err && err.status === 403) setState(relayEl, "down", t("Relay {host}: refuses this app", { host }));
    else setState(relayEl, "down", t("Relay {host}: not reachable", { host }));
    if (host && err && err.hint) relayEl.title = err.hint;
  }
  offlineEl.hidden = app.relayUp && navigator.onLine;
  if (app.relayUp) {
    try {
      app.auth = await app.relay.status();
    } catch {
      app.auth = null;
    }
  }
  const user = app.auth && app.auth.user;
  userEl.textContent = app.relayUp ? (user ? t("Logged in as {user}", { user: user.username }) : (app.auth && app.auth.needs_setup ? t("Relay needs an admin") : t("Not logged in"))) : "";
  const nodeID = app.config && app.config.node_id;
  if (!nodeID) {
    setState(nodeEl, "none", t("Node: none chosen"));
  } else if (!app.relayUp || !user) {
    setState(nodeEl, "down", t("Node: not reachable (no relay session)"));
    nodeCheckedAt = 0; // check the node as soon as there is a session again
  } else if (Date.now() - nodeCheckedAt > 30000) {
    nodeCheckedAt = Date.now();
    try {
      if (!app.relay.csrf) await app.relay.me();
      const res = await app.relay.testNode(nodeID);
      if (res.ok) {
        setState(nodeEl, "ok", t("Node: reachable ({chain}, {blocks} blocks)", { chain: res.chain || "?", blocks: res.blocks ?? "?" }));
      } else {
        // The first failed step of the relay's check says what is wrong.
        const steps = [["reachable", t("Node: not reachable")], ["credentials", t("Node: wrong credentials")], ["network", t("Node: wrong network")],
          ["synced", t("Node: not synced")], ["version", t("Node: unsupported version")], ["filter_index", t("Node: no block filter index")]];
        const failed = steps.find(([k]) => res[k] && res[k].status === "fail");
        setState(nodeEl, "down", failed ? failed[1] : t("Node: not ready"));
        nodeEl.title = failed && res[failed[0]].message ? res[failed[0]].message : "";
      }
    } catch (err) {
      setState(nodeEl, "down", t("Node: not reachable"));
    }
  }
}
app.nodeRecheck = () => { nodeCheckedAt = 0; return refreshStatus(); };
window.addEventListener("online", refreshStatus);
window.addEventListener("offline", refreshStatus);
setInterval(refreshStatus, 10000);

// ---- service worker and updates ----
const updateBox = document.getElementById("update");
let reloadRequested = false;
function offerUpdate(worker) {
  updateBox.hidden = false;
  document.getElementById("update-reload").onclick = () => {
    reloadRequested = true;
    worker.postMessage({ type: "skip-waiting" });
  };
  app.announce(t("A new version is ready. Use the reload button when you are done."));
}
async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    app.swRegistration = reg;
    if (reg.waiting && navigator.serviceWorker.controller) offerUpdate(reg.waiting);
    reg.addEventListener("updatefound", () => {
      const nw = reg.installing;
      nw?.addEventListener("statechange", () => {
        if (nw.state === "installed" && navigator.serviceWorker.controller) offerUpdate(nw);
      });
    });
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (reloadRequested) location.reload();
    });
    setInterval(() => reg.update().catch(() => {}), 60 * 60 * 1000);
  } catch (err) {
    console.warn("service worker not registered:", err);
  }
}

window.addEventListener("hashchange", route);
startEngine().catch((err) => {
  main.replaceChildren(h("h1", { tabindex: "-1", text: t("The engine did not start") }), errorBox(err));
});
refreshStatus();
registerServiceWorker();
route();
