// Specter engine worker: runs the Go engine (WebAssembly) off the page's
// thread and relays messages between the page and the engine.
//
// Page -> worker: {id, method, params} (a request of the bridge API).
// Worker -> page: the engine's JSON response text {id, result} | {id, error},
// or, once, {type: "ready", info} when the engine can take requests, or
// {type: "fatal", message} when it could not start; and {type: "event", event,
// data} for notifications such as "sync.progress".
//
// Requests that arrive before the engine is ready are queued. The wasm files
// are found next to this script's directory: ../wasm/wasm_exec.js and the
// engine by the content-hashed URL the build's precache list names
// (self.SPECTER_ENGINE in /precache.js, served cacheable for a year), or
// ../wasm/engine.wasm in a tree built without it; a "wasm" query parameter
// on the worker URL overrides both.
"use strict";

try {
  importScripts("/precache.js");
} catch {
  // A development tree without `make build`: no precache list.
}
const here = new URL(self.location.href);
const wasmURL = new URL(here.searchParams.get("wasm") || self.SPECTER_ENGINE || "../wasm/engine.wasm", here);

let engine = null; // globalThis.specterEngine once Go is ready
const queue = [];

function reply(text) {
  self.postMessage(text);
}

function send(req) {
  let text;
  try {
    text = JSON.stringify(req);
  } catch (e) {
    reply(JSON.stringify({ id: req && req.id !== undefined ? req.id : null,
      error: { message: "the request cannot be sent: " + e.message, hint: "params must be plain JSON data", code: "bad_request" } }));
    return;
  }
  engine(text, reply);
}

self.onmessage = (ev) => {
  if (engine) send(ev.data);
  else queue.push(ev.data);
};

function fatal(message) {
  self.postMessage({ type: "fatal", message });
  for (const req of queue.splice(0)) {
    reply(JSON.stringify({ id: req && req.id !== undefined ? req.id : null,
      error: { message: "the engine could not start: " + message, hint: "reload the page; if it keeps failing, the browser may lack WebAssembly support", code: "unavailable" } }));
  }
}

// Events the engine sends without a request (such as sync progress).
self.specterEngineEvent = (text) => {
  const ev = JSON.parse(text);
  self.postMessage({ type: "event", event: ev.event, data: ev.data });
};

self.specterEngineReady = (infoText) => {
  engine = self.specterEngine;
  self.postMessage({ type: "ready", info: JSON.parse(infoText) });
  for (const req of queue.splice(0)) send(req);
};

// Only one engine at a time may own the wallet data: each engine keeps the
// managers' state in memory, so two tabs writing the same IndexedDB would
// overwrite each other's changes. The engine holds the Web Lock
// "specter-engine" for its lifetime; another tab waits for it a few seconds
// (a reload overlaps the old worker's end), then runs without storage and
// says why.
const LOCK_WAIT_MS = 3000;

function acquireEngineLock() {
  if (!self.navigator || !navigator.locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), LOCK_WAIT_MS);
    navigator.locks.request("specter-engine", { signal: abort.signal }, () => {
      clearTimeout(timer);
      resolve(true);
      return new Promise(() => {}); // held until the worker ends
    }).catch(() => resolve(false));
  });
}

(async () => {
  try {
    self.specterEngineExclusive = await acquireEngineLock();
    importScripts(new URL("../wasm/wasm_exec.js", here).href);
    const go = new Go();
    let result;
    if (WebAssembly.instantiateStreaming) {
      result = await WebAssembly.instantiateStreaming(fetch(wasmURL), go.importObject);
    } else {
      const resp = await fetch(wasmURL);
      if (!resp.ok) throw new Error("loading " + wasmURL + ": HTTP " + resp.status);
      result = await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
    }
    go.run(result.instance).then(() => fatal("the engine stopped"), (e) => fatal(String(e)));
  } catch (e) {
    fatal(e && e.message ? e.message : String(e));
  }
})();
