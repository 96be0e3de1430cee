// The relay's HTTP API (server/): health, auth (setup, login, logout), nodes.
// Errors are thrown as RelayError with the relay's message and hint.
//
// Two modes:
// - the relay that served this page (base ""): the session is an HttpOnly
//   cookie and every state-changing call carries the CSRF header;
// - another relay, chosen by URL (base is its origin): that relay must trust
//   this page's origin (its --allow-origin) and this page's relay must allow
//   connecting to it (its --connect-relay, the CSP's connect-src). Cookies do
//   not cross sites, so its login answers a bearer session token, sent as
//   Authorization: Bearer. The token lives only in this tab's
//   sessionStorage (never in IndexedDB or backups); the chosen relay's URL
//   is remembered in localStorage.

import { t } from "./i18n.js";

/** An error answered by the relay, or the relay not answering. */
export class RelayError extends Error {
  constructor(message, hint = "", status = 0) {
    super(message);
    this.name = "RelayError";
    this.hint = hint;
    this.status = status;
  }
}

const CSRF_COOKIE = "specter_csrf";
/** localStorage key of the chosen relay's origin ("" or absent: this page's relay). */
export const RELAY_URL_KEY = "specter.relayURL";
/** sessionStorage key of the bearer session {origin, token} of the chosen relay. */
export const RELAY_TOKEN_KEY = "specter.relayToken";

function csrfFromCookie() {
  for (const part of document.cookie.split(";")) {
    const [k, v] = part.trim().split("=");
    if (k === CSRF_COOKIE) return decodeURIComponent(v || "");
  }
  return "";
}

// Origins whose connections this page's CSP blocked (connect-src), from the
// securitypolicyviolation events, so that a blocked fetch is explained.
const blockedOrigins = new Set();
if (typeof document !== "undefined") {
  document.addEventListener("securitypolicyviolation", (ev) => {
    try {
      blockedOrigins.add(new URL(ev.blockedURI).origin);
    } catch {
      // not a URL ("inline", "eval")
    }
  });
}

/**
 * Parses what the user typed as a relay address and returns its origin
 * ("https://relay.example"). Throws a RelayError saying what is wrong.
 */
export function parseRelayURL(text) {
  const s = String(text || "").trim();
  // Each reason is a whole message, so that a translation can order it.
  const bad = (message) => new RelayError(message,
    t("type the relay's address as its page shows it, such as https://relay.example or http://192.168.1.5:25441"));
  if (!s) throw new RelayError(t("no relay address given"), t("type the relay's address, such as https://relay.example"));
  if (!/^https?:\/\//i.test(s)) throw bad(t("\"{address}\" is not a relay address: it must start with http:// or https://", { address: s }));
  let u;
  try {
    u = new URL(s);
  } catch {
    throw bad(t("\"{address}\" is not a relay address: it is not a URL", { address: s }));
  }
  if (!u.hostname) throw bad(t("\"{address}\" is not a relay address: it has no host", { address: s }));
  if (u.username || u.password) throw bad(t("\"{address}\" is not a relay address: it must not contain a user name or password", { address: s }));
  if ((u.pathname && u.pathname !== "/") || u.search || u.hash) {
    throw bad(t("\"{address}\" is not a relay address: give only scheme, host and port, with no path", { address: s }));
  }
  return u.origin;
}

function readToken(origin) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(RELAY_TOKEN_KEY) || "null");
    if (saved && saved.origin === origin && saved.token && (!saved.expires_at || Date.parse(saved.expires_at) > Date.now())) return saved.token;
  } catch {
    // nothing usable saved
  }
  return "";
}

/** The client of the relay that served this page, or of the relay chosen by URL. */
export class Relay {
  /**
   * @param {string} base "" for the relay that served this page, else another relay's origin
   * @param {string} token that relay's bearer session token, if logged in
   */
  constructor(base = "", token = "") {
    this.base = base;
    this.token = token;
    this.csrf = "";
  }

  /** The relay remembered in localStorage, with this tab's session token. */
  static load() {
    let base = "";
    try {
      base = parseRelayURL(localStorage.getItem(RELAY_URL_KEY) || "");
    } catch {
      base = "";
    }
    if (base === location.origin) base = "";
    return new Relay(base, base ? readToken(base) : "");
  }

  /** True when the relay is not the one that served this page. */
  get remote() { return this.base !== ""; }
  /** The relay's origin. */
  get origin() { return this.base || location.origin; }
  /** The relay's host (and port) for the status bar. */
  get host() { return new URL(this.origin).host; }

  /**
   * Switches to the relay at origin ("" or this page's origin: back to this
   * page's relay) and remembers the choice; the session of the previous
   * relay is forgotten here (it stays valid on that relay until it ends).
   */
  use(origin) {
    const base = !origin || origin === location.origin ? "" : origin;
    if (base === this.base) return false;
    this.base = base;
    this.csrf = "";
    this.setToken("");
    if (base) localStorage.setItem(RELAY_URL_KEY, base);
    else localStorage.removeItem(RELAY_URL_KEY);
    return true;
  }

  setToken(token, expiresAt = "") {
    this.token = token || "";
    try {
      if (this.token) sessionStorage.setItem(RELAY_TOKEN_KEY, JSON.stringify({ origin: this.base, token: this.token, expires_at: expiresAt }));
      else sessionStorage.removeItem(RELAY_TOKEN_KEY);
    } catch {
      // storage disabled: the token stays in memory only
    }
  }

  /**
   * Adapts the relay params of an engine call ({relay, node_id?, csrf, ...}:
   * a node's calls, or a fee server's, which need no node) to this relay:
   * for another relay its origin and the bearer token instead of the page's
   * origin and CSRF token. Other params are returned as they are.
   */
  nodeParams(params) {
    if (!this.remote || !params || typeof params !== "object" || !("relay" in params)) return params;
    const out = { ...params, relay: this.base, token: this.token };
    delete out.csrf;
    return out;
  }

  /** Why a fetch of another relay failed: CSP, its refusal of this origin, or no answer. */
  async explainFailure() {
    await new Promise((r) => setTimeout(r, 50)); // the CSP violation event comes after the rejection
    if (blockedOrigins.has(this.base)) {
      return new RelayError(t("this page may not connect to the relay at {origin}", { origin: this.base }),
        t("start the relay that served this page with --connect-relay {origin} (or add it to SPECTER_CONNECT_RELAYS), then reload", { origin: this.base }));
    }
    // A simple request (no preflight) lets the relay say why it refuses us.
    try {
      const resp = await fetch(this.base + "/api/auth/status", { credentials: "omit", cache: "no-store" });
      const data = await resp.json().catch(() => null);
      if (data && data.kind === "origin_refused") return new RelayError(data.error, data.hint || "", resp.status);
    } catch {
      // no answer at all
    }
    return new RelayError(t("the relay at {origin} did not answer", { origin: this.base }),
      t("check the address and that `specter serve` runs there and is reachable from this device; it must be started with --allow-origin {pageOrigin}", { pageOrigin: location.origin }));
  }

  async request(method, path, body, { auth = true } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const init = { method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body) };
    if (this.remote) {
      init.credentials = "omit";
      if (auth && this.token) headers.Authorization = "Bearer " + this.token;
    } else {
      init.credentials = "same-origin";
      if (method !== "GET") headers["X-CSRF-Token"] = this.csrf || csrfFromCookie();
    }
    let resp;
    try {
      resp = await fetch(this.origin + path, init);
    } catch (e) {
      if (this.remote) throw await this.explainFailure();
      throw new RelayError(t("the relay did not answer"), t("check that `specter serve` runs and that this device reaches it; the app works offline meanwhile"));
    }
    if (resp.status === 204) return null;
    let data = null;
    try {
      data = await resp.json();
    } catch {
      data = null;
    }
    if (!resp.ok) {
      // The relay's own messages stay English, as the engine's do.
      const msg = data && data.error ? (typeof data.error === "string" ? data.error : data.error.message) : t("HTTP {status}", { status: resp.status });
      const hint = data && (data.hint || (data.error && data.error.hint)) || "";
      if (this.remote && resp.status === 401 && this.token) this.setToken("");
      throw new RelayError(msg, hint, resp.status);
    }
    return data;
  }

  // keep answers the session of a login or setup: the CSRF token of a
  // cookie session, or another relay's bearer token.
  keep(r) {
    this.csrf = r.csrf_token || "";
    if (this.remote) {
      if (!r.session_token) {
        throw new RelayError(t("the relay at {origin} logged you in but gave this app no session token", { origin: this.base }),
          t("that relay is too old or does not list this app's origin: start it with --allow-origin {pageOrigin}", { pageOrigin: location.origin }));
      }
      this.setToken(r.session_token, r.expires_at || "");
    }
    return r;
  }

  /** GET /healthz: {status, version, uptime_seconds}. */
  health() { return this.request("GET", "/healthz", undefined, { auth: false }); }
  /** GET /api/auth/status: {needs_setup, user}. */
  async status() {
    const r = await this.request("GET", "/api/auth/status");
    if (this.remote && this.token && !r.user) this.setToken(""); // the session ended
    return r;
  }
  async setup(token, username, password) {
    return this.keep(await this.request("POST", "/api/auth/setup", { token, username, password }, { auth: false }));
  }
  async login(username, password) {
    return this.keep(await this.request("POST", "/api/auth/login", { username, password }, { auth: false }));
  }
  async logout() {
    try {
      await this.request("POST", "/api/auth/logout");
    } finally {
      this.csrf = "";
      if (this.remote) this.setToken("");
    }
  }
  /** GET /api/auth/me: restores the CSRF token of a live session. */
  async me() {
    const r = await this.request("GET", "/api/auth/me");
    this.csrf = r.csrf_token;
    return r;
  }
  nodes() { return this.request("GET", "/api/nodes"); }
  /** POST /api/nodes (admin): {name, url, network, user, password, cookie_file}. */
  addNode(node) { return this.request("POST", "/api/nodes", node); }
  testNode(id) { return this.request("POST", `/api/nodes/${encodeURIComponent(id)}/test`, {}); }
  /**
   * GET /api/demo (server/demo): {enabled:false} without demo mode, else
   * {enabled, network, node_id, warning, wallets: [{name, kind, threshold,
   * descriptor, signers: [{name, mnemonic, fingerprint, path, xpub}]}],
   * mine_interval?}.
   */
  demo() { return this.request("GET", "/api/demo"); }
  /**
   * GET /api/tor (admin; server/tornet Status): {mode (none, builtin,
   * custom), running, version?, bootstrap_percent, bootstrap_tag?,
   * bootstrap_summary?, circuit_established, socks_addr?, onion?, error?}.
   */
  tor() { return this.request("GET", "/api/tor"); }
}
