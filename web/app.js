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

// Shows whether the relay has an admin yet (the setup screens come with the
// full app; until then the admin is created through POST /api/auth/setup).
async function showAuthStatus() {
  const el = document.getElementById("auth-status");
  try {
    const resp = await fetch("/api/auth/status", { cache: "no-store", credentials: "same-origin" });
    const status = await resp.json();
    if (status.needs_setup) {
      el.textContent = "No admin account yet: the relay printed a one-time setup token to its console.";
    } else if (status.user) {
      el.textContent = "Logged in as " + status.user.username + ".";
    } else {
      el.textContent = "Not logged in.";
    }
  } catch (err) {
    el.textContent = "";
  }
}

showRelayStatus();
showAuthStatus();
