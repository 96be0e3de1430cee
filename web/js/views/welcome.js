// #/welcome: connect to the relay that served the page, or to another relay
// by URL (one that trusts this page's origin: --allow-origin there, and
// --connect-relay on the relay that served the page). First run: create
// the admin with the one-time setup token the relay printed on its console.
// Then log in, choose a node, or go on offline (everything but the node
// works without the relay).
import { t, tDom, tn } from "../i18n.js";
import { parseRelayURL, Relay } from "../relay.js";
import { errorBox, field, h, heading, showError } from "../ui.js";

function offlineButton(app) {
  return h("button", {
    type: "button", class: "secondary",
    onclick: () => { localStorage.setItem("specter.welcomed", "1"); app.go("#/wallets"); },
  }, t("Go on offline"));
}

export async function render(root, app) {
  root.append(heading(t("Welcome to Specter")),
    h("p", {}, t("Specter coordinates Bitcoin wallets whose keys live on your hardware signers. Devices, wallets and addresses are kept in this browser and work offline; the relay connects the app to your own node.")));
  const slot = h("div", { class: "errors" });
  const body = h("div");
  // The relay that served the page comes first; another relay by URL is
  // the less common choice, below.
  root.append(slot, body, relayChoice(app));
  let status;
  try {
    status = await app.relay.status();
    app.auth = status;
  } catch (err) {
    body.append(h("section", { class: "panel", "aria-labelledby": "relay-h" },
      h("h2", { id: "relay-h", text: app.relay.remote ? t("Relay refuses or not reachable") : t("Relay not reachable") }),
      errorBox(err),
      h("p", {}, t("You can go on offline: devices, wallets and addresses work without the relay.")),
      h("div", { class: "actions" }, offlineButton(app),
        h("button", { type: "button", class: "secondary", onclick: () => app.go("#/welcome") }, t("Try again")))));
    return;
  }

  if (status.needs_setup) {
    const token = h("input", { type: "text", name: "token", autocomplete: "one-time-code", required: true, spellcheck: "false" });
    const user = h("input", { type: "text", name: "username", autocomplete: "username", required: true, value: "admin" });
    const pass = h("input", { type: "password", name: "password", autocomplete: "new-password", required: true, minlength: "8" });
    const pass2 = h("input", { type: "password", name: "password2", autocomplete: "new-password", required: true });
    const submit = h("button", { type: "submit" }, t("Create the admin"));
    const form = h("form", { class: "panel", "aria-labelledby": "setup-h" },
      h("h2", { id: "setup-h", text: t("First run: create the relay's admin") }),
      h("p", {}, t("The relay printed a one-time setup token on its console when it started. Paste it here.")),
      field(t("Setup token"), token, t("Shown once on the console of `specter serve`; restarting the relay prints a new one.")),
      field(t("Admin user name"), user),
      field(t("Password"), pass, t("At least 8 characters.")),
      field(t("Password again"), pass2),
      h("div", { class: "actions" }, submit, offlineButton(app)));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (pass.value !== pass2.value) {
        showError(slot, { message: t("the two passwords differ"), hint: t("type the same password twice") });
        pass2.focus();
        return;
      }
      submit.disabled = true;
      try {
        await app.relay.setup(token.value.trim(), user.value.trim(), pass.value);
        localStorage.setItem("specter.welcomed", "1");
        app.announce(t("Admin created; you are logged in."));
        await app.refreshStatus();
        app.go("#/welcome");
      } catch (err) {
        showError(slot, err);
        submit.disabled = false;
      }
    });
    body.append(form);
    return;
  }

  if (!status.user) {
    const user = h("input", { type: "text", name: "username", autocomplete: "username", required: true });
    const pass = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
    const submit = h("button", { type: "submit" }, t("Log in"));
    const form = h("form", { class: "panel", "aria-labelledby": "login-h" },
      h("h2", { id: "login-h", text: t("Log in to the relay") }),
      field(t("User name"), user), field(t("Password"), pass),
      h("div", { class: "actions" }, submit, offlineButton(app)));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      try {
        await app.relay.login(user.value.trim(), pass.value);
        localStorage.setItem("specter.welcomed", "1");
        app.announce(t("Logged in."));
        await app.refreshStatus();
        app.go("#/welcome");
      } catch (err) {
        showError(slot, err);
        submit.disabled = false;
      }
    });
    body.append(form);
    return;
  }

  // Logged in: the session's CSRF token, then the node choice.
  try {
    await app.relay.me();
  } catch (err) {
    showError(slot, err);
  }
  body.append(h("section", { class: "panel", "aria-labelledby": "session-h" },
    h("h2", { id: "session-h", text: t("Connected") }),
    h("p", {}, loggedIn(app, status.user)),
    h("div", { class: "actions" },
      h("a", { class: "button", href: "#/wallets" }, t("Go to the wallets")),
      h("button", {
        type: "button", class: "secondary",
        onclick: async () => {
          try {
            await app.relay.logout();
            await app.refreshStatus();
            app.go("#/welcome");
          } catch (err) {
            showError(slot, err);
          }
        },
      }, t("Log out")))));

  // The relay's demo mode (`make run`): its public demo wallets, loaded on request.
  const demoBox = h("div");
  body.append(demoBox);
  await demoPanel(app, demoBox);

  const nodesBox = h("section", { class: "panel", "aria-labelledby": "nodes-h" }, h("h2", { id: "nodes-h", text: t("Node") }));
  body.append(nodesBox);
  let nodes = [];
  try {
    nodes = await app.relay.nodes();
  } catch (err) {
    nodesBox.append(errorBox(err));
    return;
  }
  if (status.user.admin) body.append(addNodeForm(app, slot));
  if (!nodes.length) {
    nodesBox.append(h("p", {}, status.user.admin
      ? t("This relay has no node yet. Add your Bitcoin Core or btcd node below. Until then everything that needs no node (devices, wallets, addresses, PSBT review) works.")
      : t("This relay has no node yet. Ask an admin of the relay to add one. Until then everything that needs no node (devices, wallets, addresses, PSBT review) works.")));
    return;
  }
  const current = app.config ? app.config.node_id : "";
  const fs = h("fieldset", {}, h("legend", { text: t("Use this node") }),
    h("div", { class: "choice" }, h("input", { type: "radio", name: "node", id: "node-none", value: "", checked: !current }),
      h("label", { for: "node-none", text: t("None") })),
    nodes.map((n) => h("div", { class: "choice" },
      h("input", { type: "radio", name: "node", id: "node-" + n.id, value: n.id, checked: current === n.id }),
      h("label", { for: "node-" + n.id, translate: "no", text: `${n.name} (${n.network}, ${n.url})` }))));
  const save = h("button", { type: "submit" }, t("Use this node"));
  const form = h("form", {}, fs, save);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const chosen = form.querySelector("input[name=node]:checked");
    try {
      await app.engineReady;
      app.config = await app.call("config.set", { ...app.config, node_id: chosen ? chosen.value : "" });
      app.announce(t("Node saved."));
      await app.nodeRecheck();
    } catch (err) {
      showError(slot, err);
    }
  });
  nodesBox.append(form);
}

// loggedIn says who is logged in to which relay, the user name in bold.
function loggedIn(app, user) {
  const name = h("strong", { translate: "no", text: user.username });
  if (app.relay.remote) {
    return user.admin
      ? tDom("Logged in to the relay at {origin} as {user} (admin).", { origin: app.relay.origin, user: name })
      : tDom("Logged in to the relay at {origin} as {user}.", { origin: app.relay.origin, user: name });
  }
  return user.admin
    ? tDom("Logged in to this relay as {user} (admin).", { user: name })
    : tDom("Logged in to this relay as {user}.", { user: name });
}

// addNodeForm lets an admin add a node to the relay (the relay keeps the
// credentials; the browser never sees them again).
function addNodeForm(app, slot) {
  const name = h("input", { type: "text", name: "node-name", required: true, autocomplete: "off", value: t("My node") });
  const url = h("input", { type: "url", name: "node-url", required: true, autocomplete: "off", placeholder: "http://127.0.0.1:8332" });
  const network = h("select", { name: "node-network" }, ["main", "test", "signet", "regtest"].map((n) => h("option", { value: n, text: n })));
  const user = h("input", { type: "text", name: "node-user", autocomplete: "off" });
  const pass = h("input", { type: "password", name: "node-password", autocomplete: "new-password" });
  const cookie = h("input", { type: "text", name: "node-cookie", autocomplete: "off" });
  const submit = h("button", { type: "submit" }, t("Add the node"));
  const form = h("form", { class: "panel", "aria-labelledby": "addnode-h" },
    h("h2", { id: "addnode-h", text: t("Add a node") }),
    field(t("Name"), name), field(t("RPC URL"), url, t("Bitcoin Core (port 8332, 18332, 38332 or 18443) or btcd; the relay reaches it, not this browser.")),
    field(t("Network"), network), field(t("RPC user"), user), field(t("RPC password"), pass),
    field(t("Or the cookie file on the relay's machine"), cookie, t("Bitcoin Core's .cookie; leave user and password empty then.")),
    submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    try {
      const n = await app.relay.addNode({ name: name.value.trim(), url: url.value.trim(), network: network.value,
        user: user.value.trim(), password: pass.value, cookie_file: cookie.value.trim() });
      pass.value = "";
      app.announce(t("Node {name} added.", { name: n.name || "" }));
      app.go("#/welcome");
    } catch (err) {
      showError(slot, err);
      submit.disabled = false;
    }
  });
  return form;
}

// relayChoice shows which relay the app uses and lets the user switch to
// another relay by URL, or back to the relay that served this page. The
// new relay is probed first, so a malformed URL, a relay that does not
// answer, or one that refuses this page's origin is explained here and the
// app stays on the relay it had.
function relayChoice(app) {
  const slot = h("div", { class: "errors" });
  const url = h("input", { type: "url", name: "relay-url", required: true, autocomplete: "url", spellcheck: "false",
    placeholder: "https://relay.example", value: app.relay.remote ? app.relay.origin : "" });
  const connect = h("button", { type: "submit" }, t("Connect"));
  const form = h("form", { class: "panel", "aria-labelledby": "other-relay-h", novalidate: true },
    h("h2", { id: "other-relay-h", text: t("Use another relay") }),
    h("p", {}, app.relay.remote
      ? h("span", {}, tDom("The app uses the relay at {origin}.", { origin: h("strong", { "data-testid": "relay-origin", text: app.relay.origin }) }))
      : h("span", {}, tDom("The app uses the relay that served this page ({origin}).", { origin: h("strong", { "data-testid": "relay-origin", text: location.origin }) }))),
    slot,
    field(t("Relay URL"), url, t("Its admin must start it with --allow-origin {origin}, and this page's relay must be started with --connect-relay and that URL.", { origin: location.origin })),
    h("div", { class: "actions" }, connect,
      app.relay.remote ? h("button", { type: "button", class: "secondary", onclick: () => switchTo(app, "") }, t("Use this page's relay")) : null));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showError(slot, null);
    connect.disabled = true;
    try {
      const origin = parseRelayURL(url.value);
      if (origin !== location.origin) await new Relay(origin).status(); // refused, unreachable: says why
      await switchTo(app, origin);
    } catch (err) {
      showError(slot, err);
      connect.disabled = false;
      url.focus();
    }
  });
  return form;
}

// switchTo makes the app use the relay at origin ("": this page's relay).
// A node id belongs to one relay, so the node choice is cleared.
async function switchTo(app, origin) {
  if (!app.relay.use(origin)) return;
  app.auth = null;
  if (app.config && app.config.node_id) {
    await app.engineReady;
    app.config = await app.call("config.set", { ...app.config, node_id: "" });
  }
  app.announce(app.relay.remote ? t("Using the relay at {origin}.", { origin: app.relay.origin }) : t("Using this page's relay."));
  await app.nodeRecheck();
  app.go("#/welcome");
}

// demoPanel offers the relay's demo wallets (GET /api/demo, server/demo)
// when the relay runs in demo mode: a REGTEST node with a funded 2-of-3
// multisig and a single-sig wallet made of public BIP39 test mnemonics. The
// panel stays empty when the relay has no demo (or this account may not use
// its node): the rest of the welcome screen does not depend on it.
async function demoPanel(app, box) {
  let info;
  try {
    info = await app.relay.demo();
  } catch {
    return; // an older relay, or an account without the demo node
  }
  if (!info || !info.enabled || !Array.isArray(info.wallets) || !info.wallets.length) return;
  const slot = h("div", { class: "errors" });
  const result = h("div", { "aria-live": "polite", "data-testid": "demo-result" });
  const pass = h("input", { type: "password", name: "demo-password", autocomplete: "new-password", minlength: "8" });
  const pass2 = h("input", { type: "password", name: "demo-password2", autocomplete: "new-password" });
  const submit = h("button", { type: "submit" }, t("Load the demo wallets (REGTEST, worthless coins)"));
  const form = h("form", { class: "panel", "aria-labelledby": "demo-h", "data-testid": "demo-panel" },
    h("h2", { id: "demo-h", text: t("Demo wallets (REGTEST)") }),
    h("p", {}, t("This relay runs a demo node on regtest, a private test chain whose coins have no value. It funded these demo wallets:")),
    h("ul", {}, info.wallets.map((w) => h("li", { translate: "no", text: w.name }))),
    h("p", { class: "warning", "data-testid": "demo-warning" },
      t("Their mnemonics are public: they are published in Specter's source code and anyone can spend from them. Never use them for real funds and never send real bitcoin to their addresses.")),
    slot,
    field(t("Password for the demo keys"), pass, t("The demo keys become hot devices in this browser, their seeds encrypted with this password (at least 8 characters). You need it to sign from the demo wallets.")),
    field(t("Password again"), pass2),
    h("div", { class: "actions" }, submit),
    result);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showError(slot, null);
    result.replaceChildren();
    submit.disabled = true;
    try {
      const loaded = await loadDemo(app, info, pass, pass2);
      pass.value = pass2.value = "";
      if (!loaded) {
        result.replaceChildren(h("p", { class: "notice", text: t("The demo wallets are already loaded: nothing was added.") }));
        app.announce(t("The demo wallets are already loaded: nothing was added."));
        submit.disabled = false;
        return;
      }
      app.announce(tn("Loaded {n} demo wallet; the demo node is chosen.", "Loaded {n} demo wallets; the demo node is chosen.", loaded, { n: loaded }));
      app.go("#/wallets");
    } catch (err) {
      showError(slot, err);
      submit.disabled = false;
    }
  });
  box.replaceChildren(form);
}

// loadDemo adds the demo wallets that this browser does not have yet (a
// wallet with the same descriptor counts as loaded, whatever its name): the
// demo signers missing from the devices become hot devices (devices.createHot
// with the public mnemonic and the password typed), then each wallet is
// imported from the demo's descriptor (wallets.importDescriptor, which finds
// the devices by key). The demo node becomes the chosen node. It returns the
// number of wallets added (0: all were already here).
async function loadDemo(app, info, pass, pass2) {
  await app.engineReady;
  const { wallets } = await app.call("wallets.list");
  const missing = info.wallets.filter((dw) => !wallets.some((w) => w.network === info.network && w.descriptor === dw.descriptor));
  if (!missing.length) {
    await chooseDemoNode(app, info);
    return 0;
  }
  const { devices } = await app.call("devices.list");
  const holds = (s) => devices.some((d) => (d.keys || []).some((k) => k.xpub === s.xpub && k.origin === `${s.fingerprint}/${s.path.startsWith("m/") ? s.path.slice(2) : s.path}`));
  const toCreate = [];
  for (const dw of missing) {
    for (const s of dw.signers || []) {
      if (!holds(s) && !toCreate.some((c) => c.mnemonic === s.mnemonic)) toCreate.push(s);
    }
  }
  if (toCreate.length) {
    const fail = (message, hint, input) => {
      input.focus();
      throw Object.assign(new Error(message), { hint });
    };
    if (pass.value.length < 8) fail(t("the password for the demo keys is shorter than 8 characters"), t("type a password of at least 8 characters twice"), pass);
    if (pass.value !== pass2.value) fail(t("the two passwords differ"), t("type the same password twice"), pass2);
    for (const s of toCreate) {
      await app.call("devices.createHot", { name: s.name, mnemonic: s.mnemonic, password: pass.value, network: info.network }, { timeout: 120000 });
    }
  }
  for (const dw of missing) {
    await app.call("wallets.importDescriptor", { name: dw.name, descriptor: dw.descriptor, network: info.network, birthday: 0 });
  }
  await chooseDemoNode(app, info);
  return missing.length;
}

// chooseDemoNode makes the demo's node the chosen node.
async function chooseDemoNode(app, info) {
  if (!info.node_id || (app.config && app.config.node_id === info.node_id)) return;
  app.config = await app.call("config.set", { ...app.config, node_id: info.node_id });
  await app.nodeRecheck();
}
