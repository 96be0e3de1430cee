// Specter service worker (W3C Service Workers): precaches every asset of the
// app under a cache named after the build, answers asset requests from that
// cache first, and leaves /api and /healthz to the network. After the first
// visit the app loads with no network at all.
//
// The asset list and the build id come from /precache.js, which `make build`
// writes (internal/tools/precache). A new build is a new worker: it installs
// beside the running one and waits; the page offers "reload" and sends
// {type: "skip-waiting"} when the user agrees, so an update never interrupts
// a task.
"use strict";

try {
  importScripts("/precache.js");
} catch (e) {
  // A development tree without `make build`: no precache, network first.
  self.SPECTER_BUILD = "dev";
  self.SPECTER_PRECACHE = [];
}

const CACHE_PREFIX = "specter-";
const CACHE = CACHE_PREFIX + self.SPECTER_BUILD;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: "reload" skips the HTTP cache so a new build never stores stale files.
    await cache.addAll(self.SPECTER_PRECACHE.map((url) => new Request(url, { cache: "reload" })));
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "skip-waiting") self.skipWaiting();
  if (data.type === "build" && event.source) event.source.postMessage({ type: "build", build: self.SPECTER_BUILD });
});

function networkOnly(url) {
  return url.pathname.startsWith("/api/") || url.pathname === "/api" || url.pathname === "/healthz";
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || networkOnly(url)) return; // the browser fetches it
  if (url.pathname === "/precache.js" && self.SPECTER_BUILD !== "dev") {
    // The engine worker reads which engine to load from the list: answer
    // with this worker's own build, so a page keeps the engine of the build
    // it was loaded from (also offline, and while a newer build waits).
    event.respondWith(new Response(
      "self.SPECTER_BUILD = " + JSON.stringify(self.SPECTER_BUILD) + ";\n" +
      "self.SPECTER_PRECACHE = " + JSON.stringify(self.SPECTER_PRECACHE) + ";\n" +
      "self.SPECTER_ENGINE = " + JSON.stringify(self.SPECTER_ENGINE || "") + ";\n",
      { headers: { "Content-Type": "text/javascript; charset=utf-8" } }));
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // The app routes by hash, so every page load is "/" (or /index.html).
    const key = req.mode === "navigate" ? "/" : url.pathname;
    const hit = await cache.match(key);
    if (hit) return hit;
    const resp = await fetch(req);
    return resp;
  })());
});
