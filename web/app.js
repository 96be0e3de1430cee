// Minimal shell: asks the relay for /healthz and shows the answer. The full
// PWA (engine in WebAssembly, screens, service worker) replaces this later.
"use strict";

async function showRelayStatus() {
  const el = document.getElementById("relay-status");
  try {
    const resp = await fetch("/healthz", { cache: "no-store" });
    if (!resp.ok) {
      throw new Error("HTTP " + resp.status);
    }
    const health = await resp.json();
    el.dataset.state = health.status === "ok" ? "ok" : "error";
    el.textContent = "Relay " + health.status + " (version " + health.version + ", up " +
      Math.round(health.uptime_seconds) + " s).";
  } catch (err) {
    el.dataset.state = "error";
    el.textContent = "The relay did not answer (" + err.message + "): check that `specter serve` is running.";
  }
}

showRelayStatus();
