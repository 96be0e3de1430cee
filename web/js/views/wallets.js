// #/wallets: Specter's wallets blueprint. List; create single-sig or M-of-N
// multisig from devices (Specter's default M = N/2+1); import from a
// descriptor or a wallet setup file; the wallet page with the tabs
// overview, receive (next unused address, QR code, BIP21), addresses,
// transactions, UTXOs and settings (rename, descriptors, gap limit, export,
// delete).
import { t, tDom, tn } from "../i18n.js";
import { drawQR, encodeQR } from "../qr.js";
import { confirmButton, copyText, download, errorBox, facts, field, formatAmount, h, heading, readFile, showError, table } from "../ui.js";
import { typeName } from "./devices.js";

// The choices' labels are functions so that they are translated when drawn.
const SINGLE_SCRIPTS = () => [["wpkh", t("Native SegWit (wpkh, BIP84)")], ["sh-wpkh", t("Nested SegWit (sh-wpkh, BIP49)")], ["tr", t("Taproot (tr, BIP86)")], ["pkh", t("Legacy (pkh, BIP44)")]];
const MULTI_SCRIPTS = () => [["wsh", t("Native SegWit (wsh sortedmulti, BIP48)")], ["sh-wsh", t("Nested SegWit (sh-wsh sortedmulti, BIP48)")], ["tr-multi_a", t("Taproot (tr with sortedmulti_a, BIP386/387)")]];
const NETWORKS = ["main", "test", "signet", "regtest"];
const TABS = () => [["overview", t("Overview")], ["receive", t("Receive")], ["addresses", t("Addresses")], ["transactions", t("Transactions")], ["utxos", t("UTXOs")], ["settings", t("Settings")]];

export async function render(root, app, parts) {
  if (parts[0] === "new") return renderCreate(root, app);
  if (parts[0] === "import") return renderImport(root, app);
  if (parts[0] && parts[1] === "print") return renderPrint(root, app, parts[0]);
  if (parts[0]) return renderWallet(root, app, parts[0], parts[1] || "overview", parts.slice(2));
  return renderList(root, app);
}

function policy(w) {
  return w.kind === "multi" ? t("{m}-of-{n} multisig", { m: w.m, n: w.n }) : t("single-sig");
}

async function renderList(root, app) {
  const { wallets } = await app.call("wallets.list");
  root.append(heading(t("Wallets")),
    h("div", { class: "actions" },
      h("a", { class: "button", href: "#/wallets/new" }, t("Create a wallet")),
      h("a", { class: "button secondary", href: "#/wallets/import" }, t("Import a wallet"))));
  if (!wallets.length) {
    root.append(h("p", { class: "empty" }, tDom("No wallets yet. {link} first, then create a wallet from them, or import one.",
      { link: h("a", { href: "#/devices/new", text: t("Add your devices") }) })));
    return;
  }
  root.append(h("ul", { class: "cards", "aria-label": t("Wallets") }, wallets.map((w) => h("li", {},
    h("a", { href: "#/wallets/" + encodeURIComponent(w.id) },
      h("span", { class: "title", translate: "no", text: w.name }),
      h("span", { class: "sub", text: `${policy(w)} · ${w.script_type} · ${w.network}` }))))));
}

function guessNetwork(devices) {
  for (const d of devices) {
    for (const k of d.keys) {
      if (k.xpub.startsWith("xpub")) return "main";
      if (k.xpub.startsWith("tpub")) return "test";
    }
  }
  return "main";
}

async function renderCreate(root, app) {
  const { devices } = await app.call("devices.list");
  root.append(heading(t("Create a wallet")));
  if (!devices.length) {
    root.append(h("p", {}, tDom("A wallet is made of your devices' keys. {link} first.", { link: h("a", { href: "#/devices/new", text: t("Add a device") }) })));
    return;
  }
  const slot = h("div");
  const name = h("input", { type: "text", name: "name", required: true, autocomplete: "off" });
  const single = h("input", { type: "radio", name: "kind", id: "kind-single", value: "single" });
  const multi = h("input", { type: "radio", name: "kind", id: "kind-multi", value: "multi", checked: true });
  const script = h("select", { name: "script" });
  const m = h("input", { type: "number", name: "m", min: "1", value: "1", required: true });
  const mField = field(t("Signatures required (M)"), m, t("Specter's default is a majority: N/2+1."));
  const network = h("select", { name: "network" }, NETWORKS.map((n) => h("option", { value: n, text: n })));
  network.value = guessNetwork(devices);
  const boxes = devices.map((d) => h("input", { type: "checkbox", name: "device", value: d.id, id: "dev-" + d.id }));
  const count = h("p", { class: "help", "aria-live": "polite" });
  // A key select per chosen device with more than one key usable for the
  // script type and network (a second BIP48 account, another script's
  // key), defaulting to the engine's pick (wallets.keyChoices).
  const keySlot = h("div", { "data-testid": "key-choices" });
  const keySels = new Map();
  let keySeq = 0;
  async function updateKeys() {
    const seq = ++keySeq;
    const ids = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!ids.length || !app.methods.has("wallets.keyChoices")) {
      keySels.clear();
      keySlot.replaceChildren();
      return;
    }
    let choices;
    try {
      ({ choices } = await app.call("wallets.keyChoices", { device_ids: ids, script_type: script.value, network: network.value }));
    } catch (err) {
      if (seq === keySeq) keySlot.replaceChildren(errorBox(err));
      return;
    }
    if (seq !== keySeq) return; // a newer choice is on its way
    const before = new Map([...keySels].map(([id, sel]) => [id, sel.value]));
    keySels.clear();
    const fields = [];
    for (const c of choices) {
      if (c.keys.length < 2) continue;
      const d = devices.find((x) => x.id === c.device_id);
      const sel = h("select", { name: "key-" + c.device_id },
        c.keys.map((k) => h("option", { value: k.xpub, text: `[${k.origin}] ${k.xpub.slice(0, 8)}…${k.xpub.slice(-6)}${k.label ? " · " + k.label : ""}` })));
      const keep = before.get(c.device_id);
      sel.value = keep && c.keys.some((k) => k.xpub === keep) ? keep : (c.default || c.keys[0].xpub);
      keySels.set(c.device_id, sel);
      const f = field(t("Key of {name}", { name: d ? d.name : c.device_id }), sel, t("The device has several keys for this script type and network; the first on the standard path is chosen unless you pick another."));
      fields.push(f);
    }
    keySlot.replaceChildren(...fields);
  }
  let mTouched = false;
  m.addEventListener("input", () => { mTouched = true; });

  function update() {
    const isMulti = multi.checked;
    const keep = script.value;
    script.replaceChildren(...(isMulti ? MULTI_SCRIPTS() : SINGLE_SCRIPTS()).map(([v, label]) => h("option", { value: v, text: label })));
    if ([...script.options].some((o) => o.value === keep)) script.value = keep;
    const n = boxes.filter((b) => b.checked).length;
    mField.hidden = !isMulti;
    m.max = String(Math.max(n, 1));
    if (!mTouched) m.value = String(isMulti ? Math.floor(n / 2) + 1 : 1);
    count.textContent = isMulti ? tn("{n} device chosen: {m}-of-{n}.", "{n} devices chosen: {m}-of-{n}.", n, { m: m.value })
      : tn("{n} device chosen (choose one).", "{n} devices chosen (choose one).", n);
  }
  for (const el of [single, multi, ...boxes]) el.addEventListener("change", update);
  for (const el of [single, multi, script, network, ...boxes]) el.addEventListener("change", updateKeys);
  m.addEventListener("input", update);
  update();
  updateKeys();

  const submit = h("button", { type: "submit" }, t("Create the wallet"));
  const form = h("form", { class: "panel" },
    field(t("Wallet name"), name),
    h("fieldset", {}, h("legend", { text: t("Kind") }),
      h("div", { class: "choice" }, single, h("label", { for: "kind-single", text: t("Single signature (one device)") })),
      h("div", { class: "choice" }, multi, h("label", { for: "kind-multi", text: t("Multisignature (M of N devices)") }))),
    h("fieldset", {}, h("legend", { text: t("Devices") }),
      devices.map((d, i) => h("div", { class: "choice" }, boxes[i], h("label", { for: boxes[i].id, translate: "no", text: `${d.name} (${typeName(d.type)})` }))),
      count),
    mField,
    field(t("Script type"), script),
    field(t("Network"), network),
    keySlot,
    h("div", { class: "actions" }, submit, h("a", { class: "button secondary", href: "#/wallets" }, t("Cancel"))));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ids = boxes.filter((b) => b.checked).map((b) => b.value);
    submit.disabled = true;
    try {
      const res = await app.call("wallets.create", {
        name: name.value.trim(), kind: multi.checked ? "multi" : "single", script_type: script.value,
        m: multi.checked ? Number(m.value) : 1, device_ids: ids, network: network.value,
        ...(keySels.size ? { keys: Object.fromEntries([...keySels].filter(([id]) => ids.includes(id)).map(([id, sel]) => [id, sel.value])) } : {}),
      });
      if (res.warnings && res.warnings.length) sessionStorage.setItem("specter.warnings", JSON.stringify(res.warnings));
      app.announce(t("Wallet {name} created.", { name: res.wallet.name }));
      app.go("#/wallets/" + encodeURIComponent(res.wallet.id));
    } catch (err) {
      showError(slot, err);
      submit.disabled = false;
    }
  });
  root.append(slot, form);
}

async function renderImport(root, app) {
  const slot = h("div");
  const name = h("input", { type: "text", name: "name", autocomplete: "off" });
  const text = h("textarea", { name: "wallet", spellcheck: "false", placeholder: "wsh(sortedmulti(2,[fp/48'/0'/0'/2']xpub.../0/*,...))#checksum" });
  const file = h("input", { type: "file", name: "file", accept: ".json,.txt,.bsms,text/plain,application/json" });
  const network = h("select", { name: "network" }, NETWORKS.map((n) => h("option", { value: n, text: n })));
  const token = h("input", { type: "text", name: "bsms_token", autocomplete: "off", spellcheck: "false" });
  const submit = h("button", { type: "submit" }, t("Import the wallet"));
  file.addEventListener("change", async () => {
    if (file.files.length) text.value = await readFile(file.files[0]);
  });
  const form = h("form", { class: "panel" },
    field(t("Wallet name"), name, t("Leave empty to use the name in the file.")),
    field(t("Descriptor or wallet file text"), text, t("An output descriptor, or the text of a Specter, Sparrow, Coldcard, Electrum, Caravan, Bitcoin Core or BSMS wallet file.")),
    field(t("Or upload the wallet file"), file),
    field(t("Network (when the file does not say)"), network),
    field(t("BSMS token (only for an encrypted BSMS record)"), token, t("The TOKEN the coordinator gave you (BIP129).")),
    h("div", { class: "actions" }, submit, h("a", { class: "button secondary", href: "#/wallets" }, t("Cancel"))));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    try {
      const body = text.value.trim();
      let res;
      if (app.methods.has("wallets.importFile")) {
        res = await app.call("wallets.importFile", { text: body, network: network.value, name: name.value.trim(), bsms_token: token.value.trim() });
      } else {
        res = await app.call("wallets.importDescriptor", { name: name.value.trim() || t("Imported wallet"), descriptor: body, network: network.value });
      }
      const warnings = [...(res.file_warnings || []), ...(res.warnings || [])];
      if (warnings.length) sessionStorage.setItem("specter.warnings", JSON.stringify(warnings));
      app.announce(t("Wallet {name} imported.", { name: res.wallet.name }));
      app.go("#/wallets/" + encodeURIComponent(res.wallet.id));
    } catch (err) {
      showError(slot, err);
      submit.disabled = false;
    }
  });
  root.append(heading(t("Import a wallet")), slot, form);
}

async function renderWallet(root, app, id, tab, rest) {
  const w = await app.call("wallets.get", { id });
  const units = (app.config && app.config.units) || "btc";
  const title = heading(w.name);
  title.setAttribute("translate", "no"); // a name, not a text of the app
  root.append(title, h("p", { class: "muted", text: `${policy(w)} · ${w.script_type} · ${w.network}` }));
  const warnings = sessionStorage.getItem("specter.warnings");
  if (warnings) {
    sessionStorage.removeItem("specter.warnings");
    root.append(h("div", { class: "warning", role: "note" }, JSON.parse(warnings).map((msg) => h("p", { text: msg }))));
  }
  const tabs = TABS();
  root.append(h("nav", { "aria-label": t("Wallet") }, h("ul", { class: "tabs" }, tabs.map(([key, label]) => h("li", {},
    h("a", { href: `#/wallets/${encodeURIComponent(id)}/${key}`, "aria-current": key === tab ? "page" : false, text: label }))))));
  const slot = h("div");
  root.append(slot);
  const panel = h("section", { "aria-label": (tabs.find(([key]) => key === tab) || [, t("Overview")])[1] });
  root.append(panel);
  switch (tab) {
    case "receive": return tabReceive(panel, app, w, slot);
    case "addresses": return tabAddresses(panel, app, w, rest[0] === "change" ? 1 : 0, units);
    case "transactions": return tabTransactions(panel, app, w, units);
    case "utxos": return tabUTXOs(panel, app, w, units, slot);
    case "settings": return tabSettings(panel, app, w, slot);
    default: return tabOverview(panel, app, w, units);
  }
}

async function tabOverview(panel, app, w, units) {
  const b = await app.call("wallets.balance", { id: w.id });
  const { devices } = await app.call("devices.list");
  const byID = Object.fromEntries(devices.map((d) => [d.id, d]));
  const unconfirmed = (b.trusted_pending || 0) + (b.untrusted_pending || 0);
  panel.append(h("div", { class: "panel" },
    h("p", { class: "balance", "data-testid": "balance", text: formatAmount((b.confirmed || 0) + unconfirmed + (b.immature || 0), units) }),
    facts([[t("Confirmed"), formatAmount(b.confirmed, units)], [t("Unconfirmed"), formatAmount(unconfirmed, units)],
      b.immature ? [t("Immature"), formatAmount(b.immature, units)] : null,
      [t("Frozen"), formatAmount(b.frozen, units)], [t("Locked by pending PSBTs"), formatAmount(b.locked, units)]])),
  h("div", { class: "actions" }, h("a", { class: "button", href: "#/send/" + encodeURIComponent(w.id) }, t("Send"))),
  h("h2", { text: t("Devices") }),
  h("ul", {}, (w.device_ids || []).map((d) => h("li", {},
    byID[d] ? h("a", { href: "#/devices/" + encodeURIComponent(d), text: `${byID[d].name} (${typeName(byID[d].type)})` }) : d))),
  syncBox(app, w));
}

// syncBox brings the wallet up to the chosen node's tip through the relay
// (wallets.sync: block filters or blocks, then the mempool). Each batch is
// saved as it is scanned: while it runs, its sync.progress events fill a
// progress bar and "Block H of T · N blocks/s · about M s left", and Cancel
// stops it (wallets.cancelSync) keeping the blocks saved so far.
function syncBox(app, w) {
  const box = h("section", { class: "panel", "aria-labelledby": "sync-h" }, h("h2", { id: "sync-h", text: t("Node") }));
  const nodeID = app.config && app.config.node_id;
  if (!nodeID || !app.methods.has("wallets.sync")) {
    box.append(h("p", { class: "muted", text: t("No node chosen: balances stay as last synced. Choose a node on the Relay screen.") }));
    return box;
  }
  const out = h("div", { "aria-live": "polite" });
  const bar = h("progress", { max: "1", value: 0, "aria-label": t("Sync progress"), "aria-valuemin": "0", "aria-valuemax": "1", "aria-valuenow": "0", "data-testid": "sync-progress" });
  const status = h("p", { "data-testid": "sync-status", text: t("Asking the node for its tip…") });
  const progress = h("div", { class: "sync-progress" }, bar, status);
  const show = (p) => {
    if (!p || p.wallet_id !== w.id) return;
    if (p.stage === "mempool") {
      status.textContent = t("Checking the node's mempool…");
      return;
    }
    const total = Math.max(1, p.total || 0);
    bar.max = total;
    bar.value = Math.min(p.scanned || 0, total);
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(bar.value));
    bar.setAttribute("aria-valuetext", t("{scanned} of {total} blocks scanned", { scanned: p.scanned, total: p.total }));
    const rate = p.rate >= 10 ? Math.round(p.rate) : Math.round((p.rate || 0) * 10) / 10;
    status.textContent = t("Block {height} of {tip} · {rate} blocks/s · about {eta} s left", { height: p.height, tip: p.tip_height, rate, eta: Math.ceil(p.eta_seconds || 0) });
  };
  const cancel = h("button", {
    type: "button", class: "secondary",
    onclick: async () => {
      cancel.disabled = true;
      cancel.textContent = t("Cancelling…");
      try {
        await app.call("wallets.cancelSync", { id: w.id });
      } catch (err) {
        out.replaceChildren(errorBox(err));
      }
    },
  }, t("Cancel"));
  const button = h("button", {
    type: "button",
    onclick: async () => {
      button.disabled = true;
      button.textContent = t("Syncing…");
      cancel.disabled = false;
      cancel.textContent = t("Cancel");
      status.textContent = t("Asking the node for its tip…");
      bar.value = 0;
      out.replaceChildren(progress, cancel);
      const off = app.engine && app.engine.on ? app.engine.on("sync.progress", show) : () => {};
      try {
        if (!app.relay.csrf) await app.relay.me();
        const res = await app.call("wallets.sync", { id: w.id, relay: location.origin, node_id: nodeID, csrf: app.relay.csrf }, { timeout: 600000 });
        const done = { height: res.tip.height, scanned: res.scanned, matched: res.matched };
        sessionStorage.setItem("specter.synced", res.used_filters
          ? t("Synced to block {height}: {scanned} blocks scanned with block filters, {matched} with this wallet's transactions.", done)
          : t("Synced to block {height}: {scanned} blocks scanned, {matched} with this wallet's transactions.", done));
        app.go(`#/wallets/${encodeURIComponent(w.id)}/overview`);
      } catch (err) {
        out.replaceChildren(errorBox(err));
        button.disabled = false;
        button.textContent = t("Sync with the node");
      } finally {
        off();
      }
    },
  }, t("Sync with the node"));
  const last = sessionStorage.getItem("specter.synced");
  if (last) {
    sessionStorage.removeItem("specter.synced");
    out.append(h("p", { class: "notice", text: last }));
  }
  box.append(h("p", { class: "muted", text: t("Balances come from the last sync with your node.") }), button, out);
  return box;
}

function bip21(address, amount, label) {
  const q = [];
  if (amount) q.push("amount=" + encodeURIComponent(amount));
  if (label) q.push("label=" + encodeURIComponent(label));
  return "bitcoin:" + address + (q.length ? "?" + q.join("&") : "");
}

async function tabReceive(panel, app, w, slot) {
  const a = await app.call("wallets.nextAddress", { id: w.id, keychain: 0 });
  const canvas = h("canvas", { role: "img", "data-testid": "receive-qr" });
  const uriText = h("code", { class: "mono", "data-testid": "receive-uri" });
  const amount = h("input", { type: "text", name: "amount", inputmode: "decimal", placeholder: "0.001", autocomplete: "off" });
  const label = h("input", { type: "text", name: "label", value: a.label || "", autocomplete: "off" });
  const checkLink = h("p", {});
  function redraw() {
    const amt = amount.value.trim();
    if (amt && !/^\d{1,8}(\.\d{1,8})?$/.test(amt)) {
      showError(slot, { message: t("\"{amount}\" is not an amount in BTC", { amount: amt }), hint: t("write it like 0.0015 (at most 8 decimals)") });
      return;
    }
    showError(slot, null);
    const uri = bip21(a.address, amt, label.value.trim());
    uriText.textContent = uri;
    drawQR(canvas, encodeQR(uri, "M"), { scale: 6 });
    canvas.setAttribute("aria-label", t("QR code of {uri}", { uri }));
  }
  amount.addEventListener("input", redraw);
  label.addEventListener("input", redraw);
  const saveLabel = h("button", {
    type: "button", class: "secondary",
    onclick: async () => {
      try {
        await app.call("labels.set", { wallet_id: w.id, label: { type: "addr", ref: a.address, label: label.value.trim() } });
        app.announce(t("Label saved."));
      } catch (err) {
        showError(slot, err);
      }
    },
  }, t("Save the label"));
  panel.append(h("div", { class: "qr" }, canvas,
    h("div", {},
      h("p", {}, t("Receive address #{index}:", { index: a.index })),
      h("p", {}, h("code", { class: "mono", "data-testid": "receive-address", text: a.address })),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => copyText(a.address, app.announce) }, t("Copy the address"))),
      field(t("Amount in BTC (optional)"), amount, t("Adds amount= to the bitcoin: link (BIP21).")),
      field(t("Label"), label), saveLabel,
      h("p", {}, tDom("Link: {uri}", { uri: uriText })),
      h("p", { class: "help", text: t("Check the address on your signer's screen before you give it out.") }),
      checkLink)));
  redraw();
  // QR signers (Specter DIY, SeedSigner, Krux, Passport) check an address
  // from a QR code: link to that page for this address's index when one of
  // the wallet's devices reads it (the engine's airgap.addressQR says).
  if (app.methods.has("airgap.addressQR")) {
    try {
      const { devices } = await app.call("devices.list");
      const own = devices.filter((d) => (w.device_ids || []).includes(d.id));
      const readers = [];
      const reads = new Map(); // device type -> whether it reads an address QR (asked once per type)
      for (const d of own) {
        if (!reads.has(d.type)) {
          reads.set(d.type, await app.call("airgap.addressQR", { type: d.type, address: a.address, index: a.index, network: w.network })
            .then(() => true, () => false)); // false: this type checks addresses on its own screen or over USB
        }
        if (reads.get(d.type)) readers.push(d.name);
      }
      if (readers.length) {
        checkLink.append(h("a", { href: `#/psbt/address/${encodeURIComponent(w.id)}/${a.index}`, "data-testid": "receive-check-link",
          text: t("Show address #{index} as a QR code to {devices}", { index: a.index, devices: readers.join(", ") }) }));
      }
    } catch (err) {
      checkLink.append(errorBox(err));
    }
  }
}

async function tabAddresses(panel, app, w, keychain, units) {
  const base = `#/wallets/${encodeURIComponent(w.id)}/addresses`;
  panel.append(h("div", { class: "actions" },
    h("a", { class: keychain === 0 ? "button" : "button secondary", href: base, "aria-current": keychain === 0 ? "true" : false }, t("Receive addresses")),
    h("a", { class: keychain === 1 ? "button" : "button secondary", href: base + "/change", "aria-current": keychain === 1 ? "true" : false }, t("Change addresses"))));
  const { addresses } = await app.call("wallets.addresses", { id: w.id, keychain });
  const rows = addresses.map((a) => [String(a.index), h("code", { class: "mono", text: a.address }), a.used ? t("used") : t("handed out"),
    formatAmount(a.balance, units), a.label || ""]);
  // The next addresses up to the gap limit, derived from the descriptor:
  // the ones a payer may use next (Specter lists them too).
  const gap = w.gap_limit || 20;
  try {
    const { addresses: upcoming } = await app.call("descriptor.addresses", {
      descriptor: keychain === 0 ? w.receive : w.change, network: w.network, branch: 0, start: addresses.length, count: gap,
    });
    const { labels } = await app.call("labels.list", { wallet_id: w.id });
    const addrLabels = Object.fromEntries(labels.filter((l) => l.type === "addr").map((l) => [l.ref, l.label]));
    for (const a of upcoming) {
      rows.push([String(a.index), h("code", { class: "mono", text: a.address }), t("not handed out yet"), formatAmount(0, units), addrLabels[a.address] || ""]);
    }
  } catch (err) {
    panel.append(errorBox(err));
  }
  panel.append(table(keychain === 0 ? t("Receive addresses") : t("Change addresses"), [t("#"), t("Address"), t("Status"), t("Balance"), t("Label")], rows,
    t("No addresses derived yet.")));
}

async function tabTransactions(panel, app, w, units) {
  const { transactions } = await app.call("wallets.transactions", { id: w.id });
  const explorer = app.config && app.config.explorer;
  panel.append(table(t("Transactions"), [t("Date"), t("Transaction"), t("Status"), t("Amount"), t("Label")],
    transactions.map((tx) => {
      const when = tx.block_time || tx.first_seen;
      const txid = explorer ? h("a", { href: explorer + "tx/" + tx.txid, rel: "noopener noreferrer", target: "_blank", text: tx.txid }) : h("code", { class: "mono", text: tx.txid });
      // English keeps "1 confirmations" (the end-to-end tests read it).
      return [when ? new Date(when * 1000).toLocaleString() : "", txid,
        tx.status === "confirmed" ? t("{n} confirmations", { n: tx.confirmations }) : tx.status, formatAmount(tx.net, units), tx.label || ""];
    }), t("No transactions yet. Choose a node to sync the wallet.")));
  if (transactions.length) {
    const slot = h("div", { class: "errors" });
    panel.append(h("button", {
      type: "button", class: "secondary",
      onclick: async () => {
        try {
          const { csv } = await app.call("wallets.historyCSV", { id: w.id });
          download(`${w.name}-history.csv`, csv, "text/csv");
        } catch (err) {
          showError(slot, err);
        }
      },
    }, t("Export history (CSV)")), slot);
  }
}

async function tabUTXOs(panel, app, w, units, slot) {
  const { utxos } = await app.call("wallets.utxos", { id: w.id });
  panel.append(table(t("Unspent outputs"), [t("Output"), t("Address"), t("Amount"), t("Status"), t("Coin control")],
    utxos.map((u) => [h("code", { class: "mono", text: u.outpoint }), h("code", { class: "mono", text: u.address }), formatAmount(u.value, units),
      u.confirmed ? (u.locked_by ? t("confirmed, in a pending PSBT") : t("confirmed")) : (u.locked_by ? t("unconfirmed, in a pending PSBT") : t("unconfirmed")),
      h("button", {
        type: "button", class: "secondary", "aria-pressed": u.frozen ? "true" : "false",
        onclick: async () => {
          try {
            await app.call("wallets.setFrozen", { id: w.id, outpoint: u.outpoint, frozen: !u.frozen });
            app.announce(u.frozen ? t("Output unfrozen.") : t("Output frozen."));
            app.go(`#/wallets/${encodeURIComponent(w.id)}/utxos`);
          } catch (err) {
            showError(slot, err);
          }
        },
      }, u.frozen ? t("Unfreeze") : t("Freeze"))]),
    t("No unspent outputs.")));
}

async function tabSettings(panel, app, w, slot) {
  const base = `#/wallets/${encodeURIComponent(w.id)}`;
  const newName = h("input", { type: "text", name: "rename", value: w.name, required: true });
  const rename = h("form", { class: "panel" }, h("h2", { text: t("Rename") }), field(t("New name"), newName), h("button", { type: "submit" }, t("Rename")));
  rename.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await app.call("wallets.rename", { id: w.id, name: newName.value.trim() });
      app.announce(t("Wallet renamed."));
      app.go(base + "/settings");
    } catch (err) {
      showError(slot, err);
    }
  });
  const gap = h("input", { type: "number", name: "gap", min: "1", value: String(w.gap_limit || 20) });
  const gapForm = h("form", { class: "panel" }, h("h2", { text: t("Gap limit") }),
    field(t("Unused addresses watched past the last used one"), gap), h("button", { type: "submit" }, t("Save")));
  gapForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await app.call("wallets.setGapLimit", { id: w.id, gap_limit: Number(gap.value) });
      app.announce(t("Gap limit saved."));
    } catch (err) {
      showError(slot, err);
    }
  });
  const descs = h("section", { class: "panel" }, h("h2", { text: t("Descriptors") }),
    facts([[t("Receive"), h("code", { class: "mono", "data-testid": "descriptor-receive", text: w.receive })],
      [t("Change"), h("code", { class: "mono", "data-testid": "descriptor-change", text: w.change })]]),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => copyText(w.receive, app.announce) }, t("Copy the receive descriptor"))));
  const exportBox = h("section", { class: "panel" }, h("h2", { text: t("Export") }),
    h("p", {}, h("a", { href: base + "/print", text: t("Printable backup page with QR codes") })));
  if (app.methods.has("wallets.exportFile") && app.methods.has("walletfile.formats")) {
    try {
      const { formats } = await app.call("walletfile.formats");
      const fmt = h("select", { name: "format" }, formats.map((f) => h("option", { value: f.name || f, text: f.title || f.name || f })));
      exportBox.append(field(t("File format"), fmt), h("button", {
        type: "button",
        onclick: async () => {
          try {
            const res = await app.call("wallets.exportFile", { id: w.id, format: fmt.value });
            download(`${w.name}-${res.format}.${res.text.trim().startsWith("{") ? "json" : "txt"}`, res.text, "text/plain");
          } catch (err) {
            showError(slot, err);
          }
        },
      }, t("Download the wallet file")));
    } catch (err) {
      exportBox.append(errorBox(err));
    }
  } else {
    exportBox.append(h("button", { type: "button", onclick: () => download(w.name + "-descriptors.txt", w.receive + "\n" + w.change + "\n", "text/plain") }, t("Download the descriptors")));
  }
  const del = h("section", { class: "panel" }, h("h2", { text: t("Delete") }),
    h("p", {}, t("Deletes the wallet with its history, labels and pending PSBTs from this browser. Its devices stay; the funds are not affected.")),
    confirmButton(t("Delete the wallet"), t("Delete {name}?", { name: w.name }), async () => {
      try {
        await app.call("wallets.delete", { id: w.id });
        app.announce(t("Wallet deleted."));
        app.go("#/wallets");
      } catch (err) {
        showError(slot, err);
      }
    }, { yes: t("Yes, delete the wallet") }));
  panel.append(rename, descs, gapForm, exportBox, del);
}

// renderPrint is a printable backup of the wallet setup: the policy, the
// devices with their key origins, and the descriptors as text and QR codes
// (enough to recreate the watch-only wallet anywhere).
async function renderPrint(root, app, id) {
  const w = await app.call("wallets.get", { id });
  const { devices } = await app.call("devices.list");
  const byID = Object.fromEntries(devices.map((d) => [d.id, d]));
  const qrBlock = (title, label, text, testid) => {
    const canvas = h("canvas", { role: "img", "aria-label": label, "data-testid": testid });
    drawQR(canvas, encodeQR(text, "L"), { scale: 3 });
    return h("figure", { class: "print-qr" }, canvas, h("figcaption", {}, h("strong", { text: t("{what}: ", { what: title }) }), h("code", { class: "mono", text })));
  };
  const descriptor = w.descriptor || w.receive;
  root.append(heading(t("Wallet backup: {name}", { name: w.name })),
    h("p", { class: "noprint" }, h("button", { type: "button", onclick: () => window.print() }, t("Print")), " ",
      h("a", { class: "button secondary", href: `#/wallets/${encodeURIComponent(id)}/settings` }, t("Back"))),
    facts([[t("Policy"), policy(w)], [t("Script"), w.script_type], [t("Network"), w.network], [t("Created"), new Date(w.created_at).toLocaleString()],
      [t("Birthday block"), String(w.birthday || 0)]]),
    h("h2", { text: t("Devices") }),
    table(t("Devices and their keys"), [t("Device"), t("Type"), t("Keys")], (w.device_ids || []).map((d) => {
      const dev = byID[d];
      return [dev ? dev.name : d, dev ? dev.type : "", dev ? dev.keys.map((k) => "[" + k.origin + "]").join(" ") : ""];
    })),
    h("h2", { text: t("Descriptors") }),
    qrBlock(t("Wallet descriptor"), t("QR code of the wallet descriptor"), descriptor, "print-qr-descriptor"),
    w.descriptor ? "" : qrBlock(t("Change descriptor"), t("QR code of the change descriptor"), w.change, "print-qr-change"),
    h("p", { class: "help", text: t("Keep this page with your devices' backups: with it and M devices, any descriptor wallet can spend the funds.") }));
}
