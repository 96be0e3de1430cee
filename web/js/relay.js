// The relay's HTTP API (server/): health, auth (setup, login, logout, with
// the CSRF header on every state-changing call), nodes. Errors are thrown
// as RelayError with the relay's message and hint.

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

function csrfFromCookie() {
  for (const part of document.cookie.split(";")) {
    const [k, v] = part.trim().split("=");
    if (k === CSRF_COOKIE) return decodeURIComponent(v || "");
  }
  return "";
}

/** The client of the relay that served this page. */
export class Relay {
  constructor(base = "") {
    this.base = base;
    this.csrf = "";
  }

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = this.csrf || csrfFromCookie();
    let resp;
    try {
      resp = await fetch(this.base + path, {
        method, headers, credentials: "same-origin", cache: "no-store",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new RelayError("the relay did not answer", "check that `specter serve` runs and that this device reaches it; the app works offline meanwhile");
    }
    if (resp.status === 204) return null;
    let data = null;
    try {
      data = await resp.json();
    } catch {
      data = null;
    }
    if (!resp.ok) {
      const msg = data && data.error ? (typeof data.error === "string" ? data.error : data.error.message) : `HTTP ${resp.status}`;
      const hint = data && (data.hint || (data.error && data.error.hint)) || "";
      throw new RelayError(msg, hint, resp.status);
    }
    return data;
  }

  /** GET /healthz: {status, version, uptime_seconds}. */
  health() { return this.request("GET", "/healthz"); }
  /** GET /api/auth/status: {needs_setup, user}. */
  status() { return this.request("GET", "/api/auth/status"); }
  async setup(token, username, password) {
    const r = await this.request("POST", "/api/auth/setup", { token, username, password });
    this.csrf = r.csrf_token;
    return r;
  }
  async login(username, password) {
    const r = await this.request("POST", "/api/auth/login", { username, password });
    this.csrf = r.csrf_token;
    return r;
  }
  async logout() {
    await this.request("POST", "/api/auth/logout");
    this.csrf = "";
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
}
