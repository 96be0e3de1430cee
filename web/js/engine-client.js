// Specter engine client: the page's side of the engine's message API.
//
//   import { createEngine } from "./engine-client.js";
//   const engine = createEngine(new URL("./engine-worker.js", import.meta.url));
//   await engine.ready;                       // {storage, schema_version, ...}
//   const info = await engine.call("descriptor.normalize", {descriptor: "..."});
//
// call(method, params, {timeout}) resolves with the method's result or rejects
// with an EngineError carrying message, hint and code; a call that times out is
// cancelled in the engine too (engine.cancel). The engine runs in a Web Worker,
// so the page never blocks on it. The methods are listed in wasm/bridge/API.md.
// The client's own messages (a timeout, a dead worker) go through i18n.js's
// t(); the engine's messages stay English.
import { t } from "./i18n.js";

/** An error answered by the engine (or a timeout / a dead worker). */
export class EngineError extends Error {
  constructor({ message, hint = "", code = "failed" }, method = "") {
    super(message);
    this.name = "EngineError";
    this.hint = hint;
    this.code = code;
    this.method = method;
  }
}

/** Default time a call may take before it is given up (milliseconds). */
export const DEFAULT_TIMEOUT = 60000;

/**
 * Starts the engine worker at workerUrl.
 * @param {string|URL} workerUrl URL of engine-worker.js
 * @param {{timeout?: number, readyTimeout?: number, WorkerClass?: typeof Worker}} [options]
 * @returns {{ready: Promise<object>, call: (method: string, params?: object, opts?: {timeout?: number}) => Promise<any>, on: (event: string, fn: (data: any) => void) => () => void, terminate: () => void}}
 */
export function createEngine(workerUrl, options = {}) {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const WorkerClass = options.WorkerClass ?? Worker;
  const worker = new WorkerClass(workerUrl);
  const pending = new Map(); // id -> {resolve, reject, timer, method}
  const listeners = new Map(); // event name -> Set of functions
  let nextId = 1;
  let dead = null; // EngineError once the worker is unusable

  let readyResolve, readyReject;
  const ready = new Promise((res, rej) => { readyResolve = res; readyReject = rej; });
  const readyTimer = setTimeout(() => fail({
    message: t("the engine did not start in time"),
    hint: t("reload the page; a slow device may need a second try"),
    code: "unavailable",
  }), options.readyTimeout ?? 120000);

  function fail(err) {
    if (dead) return;
    dead = new EngineError(err);
    clearTimeout(readyTimer);
    readyReject(dead);
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new EngineError(err, p.method));
      pending.delete(id);
    }
    worker.terminate();
  }

  worker.onmessage = (ev) => {
    const data = ev.data;
    if (typeof data !== "string") {
      if (data && data.type === "ready") {
        clearTimeout(readyTimer);
        readyResolve(data.info);
      } else if (data && data.type === "event") {
        for (const fn of listeners.get(data.event) || []) {
          try { fn(data.data); } catch (e) { console.error(e); }
        }
      } else if (data && data.type === "fatal") {
        fail({ message: t("the engine could not start: {reason}", { reason: data.message }),
          hint: t("reload the page; if it keeps failing, the browser may lack WebAssembly support"), code: "unavailable" });
      }
      return;
    }
    let resp;
    try {
      resp = JSON.parse(data);
    } catch {
      return;
    }
    const p = pending.get(resp.id);
    if (!p) return; // timed out already
    pending.delete(resp.id);
    clearTimeout(p.timer);
    if (resp.error) p.reject(new EngineError(resp.error, p.method));
    else p.resolve(resp.result);
  };
  worker.onerror = (ev) => {
    ev.preventDefault?.();
    fail({ message: t("the engine worker failed: {reason}", { reason: ev.message || t("unknown error") }),
      hint: t("reload the page"), code: "unavailable" });
  };

  function call(method, params = {}, opts = {}) {
    if (dead) return Promise.reject(new EngineError(dead, method));
    const id = nextId++;
    const ms = opts.timeout ?? timeout;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        // Ask the engine to stop it (writes of a cancelled call roll back);
        // the answer to this message is ignored.
        try {
          worker.postMessage({ id: `cancel-${id}`, method: "engine.cancel", params: { id } });
        } catch { /* the worker is gone */ }
        reject(new EngineError({ message: t("{method} took longer than {seconds} s", { method, seconds: Math.round(ms / 1000) }),
          hint: t("try again; if it keeps happening, reload the page"), code: "timeout" }, method));
      }, ms);
      pending.set(id, { resolve, reject, timer, method });
      try {
        worker.postMessage({ id, method, params });
      } catch (e) {
        pending.delete(id);
        clearTimeout(timer);
        reject(new EngineError({ message: t("the request cannot be sent: {reason}", { reason: e.message }),
          hint: t("params must be plain JSON data"), code: "bad_request" }, method));
      }
    });
  }

  /** Calls fn(data) for each event of that name (e.g. "sync.progress"); returns the unsubscribe function. */
  function on(event, fn) {
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event).add(fn);
    return () => listeners.get(event).delete(fn);
  }

  function terminate() {
    fail({ message: t("the engine was stopped"), hint: t("reload the page"), code: "unavailable" });
  }

  return { ready, call, on, terminate };
}

/**
 * Asks the browser to keep this site's data (the wallets in IndexedDB) even
 * under storage pressure. Only a page can ask (not the worker); browsers may
 * want a user gesture or an installed app first. Resolves true when the data
 * is persistent.
 * @returns {Promise<boolean>}
 */
export async function requestPersistentStorage() {
  const storage = globalThis.navigator && navigator.storage;
  if (!storage || !storage.persist) return false;
  if (await storage.persisted()) return true;
  return storage.persist();
}
