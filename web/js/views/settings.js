// #/settings: Specter's settings blueprint for what belongs to the user:
// units (BTC or sats), block explorer, fee source, language; the relay's
// Tor status and onion address (admins); a backup of all data to
// one file and a restore from it; BIP-329 label export and import per
// wallet; erasing this browser's data.
import { t } from "../i18n.js";
import { isZip, restoreSpecterZip } from "../specter-backup.js";
import { drawQR, encodeQR } from "../qr.js";
import { confirmButton, copyText, download, errorBox, facts, field, h, heading, readFile, showError } from "../ui.js";

export async function render(root, app) {
  const cfg = await app.loadConfig();
  const slot = h("div");
  root.append(heading(t("Settings")), slot);

  // Preferences.
  const btc = h("input", { type: "radio", name: "units", id: "units-btc", value: "btc", checked: cfg.units !== "sats" });
  const sats = h("input", { type: "radio", name: "units", id: "units-sats", value: "sats", checked: cfg.units === "sats" });
  const explorer = h("input", { type: "url", name: "explorer", value: cfg.explorer || "", placeholder: "https://mempool.space/", autocomplete: "off" });
  // Fee source: the node, or a mempool.space-compatible server that the
  // relay asks (GET /api/fees), so the server never sees this browser.
  const serverURL = cfg.fee_source && cfg.fee_source !== "node" ? cfg.fee_source : "";
  const feeNode = h("input", { type: "radio", name: "fee_source_kind", id: "fee-node", value: "node", checked: !serverURL });
  const feeServer = h("input", { type: "radio", name: "fee_source_kind", id: "fee-server", value: "server", checked: !!serverURL });
  const feeURL = h("input", { type: "url", name: "fee_source_url", value: serverURL, placeholder: "https://mempool.space", autocomplete: "off", disabled: !serverURL });
  const syncFeeURL = () => {
    feeURL.disabled = !feeServer.checked;
    feeURL.required = feeServer.checked;
  };
  feeNode.addEventListener("change", syncFeeURL);
  feeServer.addEventListener("change", () => {
    syncFeeURL();
    feeURL.focus();
  });
  syncFeeURL();
  const prefs = h("form", { class: "panel", "aria-labelledby": "prefs-h" },
    h("h2", { id: "prefs-h", text: t("Preferences") }),
    h("fieldset", {}, h("legend", { text: t("Units") }),
      h("div", { class: "choice" }, btc, h("label", { for: "units-btc", text: t("BTC") })),
      h("div", { class: "choice" }, sats, h("label", { for: "units-sats", text: t("satoshis") }))),
    field(t("Block explorer"), explorer, t("Base URL ending in /, e.g. your own mempool instance; a transaction opens at URL + tx/TXID. Empty for none.")),
    h("fieldset", {}, h("legend", { text: t("Fee source") }),
      h("div", { class: "choice" }, feeNode, h("label", { for: "fee-node", text: t("Your node") })),
      h("div", { class: "choice" }, feeServer, h("label", { for: "fee-server", text: t("A mempool.space-compatible server (URL)") })),
      field(t("Fee server URL"), feeURL, t("Its base address, such as https://mempool.space or https://mempool.space/testnet. The relay asks it for you (through Tor when the relay uses Tor), so the server does not see this browser's address."))),
    h("button", { type: "submit" }, t("Save the preferences")));
  prefs.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const feeSource = feeServer.checked ? checkFeeServer(feeURL) : "node";
      app.config = await app.call("config.set", { ...app.config, units: sats.checked ? "sats" : "btc", explorer: explorer.value.trim(), fee_source: feeSource });
      showError(slot, null);
      app.announce(t("Preferences saved."));
    } catch (err) {
      showError(slot, err);
    }
  });

  // Language: the catalogues present (English plus web/i18n/<tag>.json),
  // saved in the config (config.set, the engine's SetLanguage) and applied
  // at once: the screen is drawn again in the new language.
  const languages = await app.i18n.available();
  const current = cfg.language || "en";
  if (!languages.some((l) => l.tag === current)) languages.push({ tag: current, name: current });
  const language = h("select", { name: "language" }, languages.map((l) => h("option", { value: l.tag, lang: l.tag, text: l.name })));
  language.value = current;
  language.addEventListener("change", async () => {
    try {
      app.config = await app.call("config.set", { ...app.config, language: language.value });
      await app.setLanguage(app.config.language);
      app.announce(t("Language saved."));
    } catch (err) {
      showError(slot, err);
    }
  });
  const lang = h("section", { class: "panel", "aria-labelledby": "language-h" },
    h("h2", { id: "language-h", text: t("Language") }),
    field(t("Language of the app"), language, t("Amounts and addresses keep their format; messages from the engine stay in English.")));

  // Backup and restore.
  const restoreFile = h("input", { type: "file", name: "restore", accept: ".json,.zip,application/json,application/zip" });
  const restoreResult = h("div", { "aria-live": "polite" });
  const backup = h("section", { class: "panel", "aria-labelledby": "backup-h" },
    h("h2", { id: "backup-h", text: t("Backup and restore") }),
    h("p", {}, t("One file with every device, wallet, label, pending PSBT and setting. Hot devices' seeds stay encrypted with their passwords.")),
    h("button", {
      type: "button",
      onclick: async () => {
        try {
          const { backup: doc } = await app.call("backup.export");
          const text = JSON.stringify(doc, null, 2);
          app.lastBackup = text; // for the end-to-end tests
          download(`specter-backup-${new Date().toISOString().slice(0, 10)}.json`, text);
          app.announce(t("Backup file saved."));
        } catch (err) {
          showError(slot, err);
        }
      },
    }, t("Download a backup")),
    field(t("Restore from a backup file"), restoreFile, t("This app's backup replaces everything in this browser, after checking all of it. Specter Desktop's specter-backup.zip adds its devices and wallets.")),
    h("button", {
      type: "button", class: "secondary",
      onclick: async () => {
        if (!restoreFile.files.length) {
          showError(slot, { message: t("no backup file chosen"), hint: t("choose the backup file first") });
          restoreFile.focus();
          return;
        }
        try {
          const bytes = new Uint8Array(await restoreFile.files[0].arrayBuffer());
          if (isZip(bytes)) {
            const r = await restoreSpecterZip(app, bytes);
            restoreResult.replaceChildren(h("p", { class: "notice", text: t("Added {devices} devices, {wallets} wallets and {labels} labels from the Specter Desktop backup.", r) }),
              r.skipped.length ? h("div", { class: "skipped" }, r.skipped.map((p) => h("p", { text: p }))) : "");
            showError(slot, null);
            return;
          }
          const sum = await app.call("backup.import", { text: new TextDecoder().decode(bytes) });
          restoreResult.replaceChildren(h("p", { class: "notice", text: t("Restored {devices} devices, {wallets} wallets and {psbts} pending PSBTs.", sum) }));
          showError(slot, null);
          await app.loadConfig();
        } catch (err) {
          restoreResult.replaceChildren(); // nothing was restored
          showError(slot, err);
        }
      },
    }, t("Restore")),
    restoreResult);

  // BIP-329 labels.
  const { wallets } = await app.call("wallets.list");
  const labels = h("section", { class: "panel", "aria-labelledby": "labels-h" }, h("h2", { id: "labels-h", text: t("Labels (BIP-329)") }));
  if (!wallets.length) {
    labels.append(h("p", { class: "empty", text: t("No wallets yet.") }));
  } else {
    const which = h("select", { name: "label-wallet" }, wallets.map((w) => h("option", { value: w.id, text: w.name })));
    const file = h("input", { type: "file", name: "labels", accept: ".jsonl,.json,.txt" });
    const out = h("div", { "aria-live": "polite" });
    labels.append(field(t("Wallet"), which),
      h("button", {
        type: "button",
        onclick: async () => {
          try {
            const { text } = await app.call("labels.export", { wallet_id: which.value });
            const w = wallets.find((x) => x.id === which.value);
            download(`${w ? w.name : "wallet"}-labels.jsonl`, text, "application/jsonl");
          } catch (err) {
            showError(slot, err);
          }
        },
      }, t("Export the labels")),
      field(t("Import a BIP-329 file"), file),
      h("button", {
        type: "button", class: "secondary",
        onclick: async () => {
          if (!file.files.length) {
            showError(slot, { message: t("no label file chosen"), hint: t("choose a BIP-329 .jsonl file first") });
            return;
          }
          try {
            const rep = await app.call("labels.import", { wallet_id: which.value, text: await readFile(file.files[0]) });
            const problems = rep.problems || [];
            out.replaceChildren(h("p", { class: "notice", text: t("Imported {imported} labels.", rep) }),
              problems.length ? h("div", { class: "warning" }, problems.map((p) => h("p", { text: typeof p === "string" ? p : (p.message || JSON.stringify(p)) }))) : "");
          } catch (err) {
            showError(slot, err);
          }
        },
      }, t("Import the labels")),
      out);
  }

  // Erase.
  const erase = h("section", { class: "panel", "aria-labelledby": "erase-h" },
    h("h2", { id: "erase-h", text: t("Erase this browser's data") }),
    h("p", {}, t("Removes every device, wallet and setting from this browser. Download a backup first.")),
    confirmButton(t("Erase everything"), t("Erase all Specter data in this browser?"), async () => {
      try {
        await eraseAll(app);
        app.announce(t("All data erased."));
        app.go("#/wallets");
      } catch (err) {
        showError(slot, err);
      }
    }, { yes: t("Yes, erase everything") }));

  // Tor: the relay's Tor mode, status and onion address (admins only).
  const tor = h("section", { class: "panel", "aria-labelledby": "tor-h", "data-testid": "tor-panel" },
    h("h2", { id: "tor-h", text: t("Tor") }));
  torPanel(tor, app);

  root.append(prefs, lang, tor, backup, labels, erase);
}

// torPanel fills the Tor panel from the relay's GET /api/tor: the mode
// (none, builtin, custom), whether tor runs and how far it bootstrapped,
// and the onion address the relay is published at, with a copy button and
// its QR code (http://ADDRESS, to open in Tor Browser). Only an admin may
// see it; without the relay or a session the panel says so.
async function torPanel(panel, app) {
  const out = h("div", { "aria-live": "polite" }, h("p", { class: "help", text: t("Asking the relay…") }));
  panel.append(out);
  const say = (text) => out.replaceChildren(h("p", { "data-testid": "tor-message", text }));
  let status;
  try {
    status = await app.relay.status();
  } catch (err) {
    out.replaceChildren(h("p", { "data-testid": "tor-message", text: t("The relay is not reachable, so its Tor status is unknown.") }), errorBox(err));
    return;
  }
  if (!status.user) {
    say(t("Log in to the relay on the welcome screen to see its Tor settings (admins only)."));
    return;
  }
  if (!status.user.admin) {
    say(t("Only an admin of the relay sees its Tor settings."));
    return;
  }
  let st;
  try {
    st = await app.relay.tor();
  } catch (err) {
    if (err && err.status === 403) say(t("Only an admin of the relay sees its Tor settings."));
    else out.replaceChildren(h("p", { "data-testid": "tor-message", text: t("The relay did not give its Tor status.") }), errorBox(err));
    return;
  }
  const modes = {
    none: t("off (none): the relay does not use Tor"),
    builtin: t("builtin: the relay runs its own tor"),
    custom: t("custom: the relay uses a tor you run (its control port)"),
  };
  const mode = h("span", { "data-testid": "tor-mode", text: modes[st.mode] || st.mode });
  if (st.mode === "none") {
    out.replaceChildren(facts([[t("Mode"), mode]]),
      h("p", { class: "help", text: t("Start the relay with --tor builtin (or --tor custom) to reach nodes and price or fee servers through Tor, and add --tor-publish to publish it as an onion service.") }));
    return;
  }
  let state;
  if (!st.running) state = t("not running");
  else if (st.circuit_established) state = t("running, connected to the Tor network ({percent}% bootstrapped)", { percent: st.bootstrap_percent });
  else state = t("running, not connected to the Tor network yet ({percent}% bootstrapped)", { percent: st.bootstrap_percent });
  const rows = [
    [t("Mode"), mode],
    [t("Status"), h("span", { "data-testid": "tor-status", text: state })],
    st.version ? [t("Tor version"), h("span", { translate: "no", text: st.version })] : null,
    st.bootstrap_summary ? [t("Bootstrap"), h("span", { translate: "no", text: st.bootstrap_summary })] : null,
    st.socks_addr ? [t("SOCKS proxy"), h("code", { class: "mono", text: st.socks_addr })] : null,
  ];
  const parts = [facts(rows)];
  if (st.error) parts.push(errorBox({ message: st.error }));
  if (st.onion) {
    const link = "http://" + st.onion;
    const canvas = h("canvas", { role: "img", "data-testid": "tor-qr", "aria-label": t("QR code of {uri}", { uri: link }) });
    drawQR(canvas, encodeQR(link, "M"), { scale: 5 });
    parts.push(h("div", { class: "qr" }, canvas,
      h("div", {},
        h("p", {}, t("The relay is published as an onion service at:")),
        h("p", {}, h("code", { class: "mono", translate: "no", "data-testid": "tor-onion", text: st.onion })),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "secondary", onclick: () => copyText(st.onion, app.announce) }, t("Copy the onion address"))),
        h("p", { class: "help", text: t("Open http:// and this address in Tor Browser, or scan the QR code with a phone that uses Tor. Anyone with the address reaches the relay's login page.") }))));
  } else {
    parts.push(h("p", { "data-testid": "tor-no-onion", text: t("The relay is not published as an onion service: start it with --tor-publish to get an onion address.") }));
  }
  out.replaceChildren(...parts);
}

// eraseAll has the engine wipe its storage (storage.wipe), or, with an
// engine without that method, stops the engine (closing its database and
// its lock), deletes the IndexedDB database and starts a fresh engine.
async function eraseAll(app) {
  if (app.methods.has("storage.wipe")) {
    await app.call("storage.wipe", { confirm: true });
    await app.loadConfig();
    return;
  }
  app.engine.terminate();
  await new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase("specter");
    req.onsuccess = () => resolve();
    req.onerror = () => reject(Object.assign(new Error(t("the browser did not erase the data: {reason}", { reason: req.error && req.error.message })), { hint: t("close the app's other tabs and try again") }));
    // Blocked while a connection closes: wait a little before giving up.
    req.onblocked = () => setTimeout(() => reject(Object.assign(new Error(t("another tab of the app holds the data open")),
      { hint: t("close the app's other tabs and try again") })), 10000);
  });
  await app.restartEngine();
}

// checkFeeServer returns the fee server's base URL from input, or throws an
// error with a hint (and focuses the input) when it is not a plain http(s)
// address: the engine checks it again, the relay checks what it may reach.
function checkFeeServer(input) {
  const value = input.value.trim();
  const hint = t("give its base address, such as https://mempool.space, or choose Your node");
  const fail = (message) => {
    input.focus();
    const err = new Error(message);
    err.hint = hint;
    throw err;
  };
  if (!value) fail(t("the fee server's URL is missing"));
  let u;
  try {
    u = new URL(value);
  } catch {
    fail(t("\"{url}\" is not an address", { url: value }));
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") fail(t("\"{url}\" is not an http or https address", { url: value }));
  if (u.username || u.password || u.search || u.hash) fail(t("\"{url}\" has a user name, query or fragment: give only the server's base address", { url: value }));
  return value;
}
