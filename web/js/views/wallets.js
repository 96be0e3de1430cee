// #/wallets: Specter's wallets blueprint. List; create single-sig or M-of-N
// multisig from devices (Specter's default M = N/2+1); import from a
// descriptor or a wallet setup file; the wallet page with the tabs
// overview, receive (next unused address, QR code, BIP21), addresses,
// transactions, UTXOs and settings (rename, descriptors, gap limit, export,
// delete).
import { drawQR, encodeQR } from "../qr.js";
import { confirmButton, copyText, download, errorBox, facts, field, formatAmount, h, heading, readFile, showError, table } from "../ui.js";
import { typeName } from "./devices.js";

const SINGLE_SCRIPTS = [["wpkh", "Native SegWit (wpkh, BIP84)"], ["sh-wpkh", "Nested SegWit (sh-wpkh, BIP49)"], ["tr", "Taproot (tr, BIP86)"], ["pkh", "Legacy (pkh, BIP44)"]];
const MULTI_SCRIPTS = [["wsh", "Native SegWit (wsh sortedmulti, BIP48)"], ["sh-wsh", "Nested SegWit (sh-wsh sortedmulti, BIP48)"], ["tr-multi_a", "Taproot (tr with sortedmulti_a, BIP386/387)"]];
const NETWORKS = ["main", "test", "signet", "regtest"];
const TABS = [["overview", "Overview"], ["receive", "Receive"], ["addresses", "Addresses"], ["transactions", "Transactions"], ["utxos", "UTXOs"], ["settings", "Settings"]];

export async function render(root, app, parts) {
  if (parts[0] === "new") return renderCreate(root, app);
  if (parts[0] === "import") return renderImport(root, app);
  if (parts[0] && parts[1] === "print") return renderPrint(root, app, parts[0]);
  if (parts[0]) return renderWallet(root, app, parts[0], parts[1] || "overview", parts.slice(2));
  return renderList(root, app);
}

function policy(w) {
  return w.kind === "multi" ? `${w.m}-of-${w.n} multisig` : "single-sig";
}

async function renderList(root, app) {
  const { wallets } = await app.call("wallets.list");
  root.append(heading("Wallets"),
    h("div", { class: "actions" },
      h("a", { class: "button", href: "#/wallets/new" }, "Create a wallet"),
      h("a", { class: "button secondary", href: "#/wallets/import" }, "Import a wallet")));
  if (!wallets.length) {
    root.append(h("p", { class: "empty" }, "No wallets yet. ",
      h("a", { href: "#/devices/new", text: "Add your devices" }), " first, then create a wallet from them, or import one."));
    return;
  }
  root.append(h("ul", { class: "cards", "aria-label": "Wallets" }, wallets.map((w) => h("li", {},
    h("a", { href: "#/wallets/" + encodeURIComponent(w.id) },
      h("span", { class: "title", text: w.name }),
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
  root.append(heading("Create a wallet"));
  if (!devices.length) {
    root.append(h("p", {}, "A wallet is made of your devices' keys. ", h("a", { href: "#/devices/new", text: "Add a device" }), " first."));
    return;
  }
  const slot = h("div");
  const name = h("input", { type: "text", name: "name", required: true, autocomplete: "off" });
  const single = h("input", { type: "radio", name: "kind", id: "kind-single", value: "single" });
  const multi = h("input", { type: "radio", name: "kind", id: "kind-multi", value: "multi", checked: true });
  const script = h("select", { name: "script" });
  const m = h("input", { type: "number", name: "m", min: "1", value: "1", required: true });
  const mField = field("Signatures required (M)", m, "Specter's default is a majority: N/2+1.");
  const network = h("select", { name: "network" }, NETWORKS.map((n) => h("option", { value: n, text: n })));
  network.value = guessNetwork(devices);
  const boxes = devices.map((d) => h("input", { type: "checkbox", name: "device", value: d.id, id: "dev-" + d.id }));
  const count = h("p", { class: "help", "aria-live": "polite" });
  let mTouched = false;
  m.addEventListener("input", () => { mTouched = true; });

  function update() {
    const isMulti = multi.checked;
    const keep = script.value;
    script.replaceChildren(...(isMulti ? MULTI_SCRIPTS : SINGLE_SCRIPTS).map(([v, t]) => h("option", { value: v, text: t })));
    if ([...script.options].some((o) => o.value === keep)) script.value = keep;
    const n = boxes.filter((b) => b.checked).length;
    mField.hidden = !isMulti;
    m.max = String(Math.max(n, 1));
    if (!mTouched) m.value = String(isMulti ? Math.floor(n / 2) + 1 : 1);
    count.textContent = isMulti ? `${n} device${n === 1 ? "" : "s"} chosen: ${m.value}-of-${n}.` : `${n} device${n === 1 ? "" : "s"} chosen (choose one).`;
  }
  for (const el of [single, multi, ...boxes]) el.addEventListener("change", update);
  m.addEventListener("input", update);
  update();

  const submit = h("button", { type: "submit" }, "Create the wallet");
  const form = h("form", { class: "panel" },
    field("Wallet name", name),
    h("fieldset", {}, h("legend", { text: "Kind" }),
      h("div", { class: "choice" }, single, h("label", { for: "kind-single", text: "Single signature (one device)" })),
      h("div", { class: "choice" }, multi, h("label", { for: "kind-multi", text: "Multisignature (M of N devices)" }))),
    h("fieldset", {}, h("legend", { text: "Devices" }),
      devices.map((d, i) => h("div", { class: "choice" }, boxes[i], h("label", { for: boxes[i].id, text: `${d.name} (${typeName(d.type)})` }))),
      count),
    mField,
    field("Script type", script),
    field("Network", network),
    h("div", { class: "actions" }, submit, h("a", { class: "button secondary", href: "#/wallets" }, "Cancel")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ids = boxes.filter((b) => b.checked).map((b) => b.value);
    submit.disabled = true;
    try {
      const res = await app.call("wallets.create", {
        name: name.value.trim(), kind: multi.checked ? "multi" : "single", script_type: script.value,
        m: multi.checked ? Number(m.value) : 1, device_ids: ids, network: network.value,
      });
      if (res.warnings && res.warnings.length) sessionStorage.setItem("specter.warnings", JSON.stringify(res.warnings));
      app.announce(`Wallet ${res.wallet.name} created.`);
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
  const submit = h("button", { type: "submit" }, "Import the wallet");
  file.addEventListener("change", async () => {
    if (file.files.length) text.value = await readFile(file.files[0]);
  });
  const form = h("form", { class: "panel" },
    field("Wallet name", name, "Leave empty to use the name in the file."),
    field("Descriptor or wallet file text", text, "An output descriptor, or the text of a Specter, Sparrow, Coldcard, Electrum, Caravan, Bitcoin Core or BSMS wallet file."),
    field("Or upload the wallet file", file),
    field("Network (when the file does not say)", network),
    field("BSMS token (only for an encrypted BSMS record)", token, "The TOKEN the coordinator gave you (BIP129)."),
    h("div", { class: "actions" }, submit, h("a", { class: "button secondary", href: "#/wallets" }, "Cancel")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    try {
      const body = text.value.trim();
      let res;
      if (app.methods.has("wallets.importFile")) {
        res = await app.call("wallets.importFile", { text: body, network: network.value, name: name.value.trim(), bsms_token: token.value.trim() });
      } else {
        res = await app.call("wallets.importDescriptor", { name: name.value.trim() || "Imported wallet", descriptor: body, network: network.value });
      }
      const warnings = [...(res.file_warnings || []), ...(res.warnings || [])];
      if (warnings.length) sessionStorage.setItem("specter.warnings", JSON.stringify(warnings));
      app.announce(`Wallet ${res.wallet.name} imported.`);
      app.go("#/wallets/" + encodeURIComponent(res.wallet.id));
    } catch (err) {
      showError(slot, err);
      submit.disabled = false;
    }
  });
  root.append(heading("Import a wallet"), slot, form);
}

async function renderWallet(root, app, id, tab, rest) {
  const w = await app.call("wallets.get", { id });
  const units = (app.config && app.config.units) || "btc";
  root.append(heading(w.name), h("p", { class: "muted", text: `${policy(w)} · ${w.script_type} · ${w.network}` }));
  const warnings = sessionStorage.getItem("specter.warnings");
  if (warnings) {
    sessionStorage.removeItem("specter.warnings");
    root.append(h("div", { class: "warning", role: "note" }, JSON.parse(warnings).map((t) => h("p", { text: t }))));
  }
  root.append(h("nav", { "aria-label": "Wallet" }, h("ul", { class: "tabs" }, TABS.map(([t, label]) => h("li", {},
    h("a", { href: `#/wallets/${encodeURIComponent(id)}/${t}`, "aria-current": t === tab ? "page" : false, text: label }))))));
  const slot = h("div");
  root.append(slot);
  const panel = h("section", { "aria-label": (TABS.find(([t]) => t === tab) || [, "Overview"])[1] });
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
    facts([["Confirmed", formatAmount(b.confirmed, units)], ["Unconfirmed", formatAmount(unconfirmed, units)],
      b.immature ? ["Immature", formatAmount(b.immature, units)] : null,
      ["Frozen", formatAmount(b.frozen, units)], ["Locked by pending PSBTs", formatAmount(b.locked, units)]])),
  h("div", { class: "actions" }, h("a", { class: "button", href: "#/send/" + encodeURIComponent(w.id) }, "Send")),
  h("h2", { text: "Devices" }),
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
  const box = h("section", { class: "panel", "aria-labelledby": "sync-h" }, h("h2", { id: "sync-h", text: "Node" }));
  const nodeID = app.config && app.config.node_id;
  if (!nodeID || !app.methods.has("wallets.sync")) {
    box.append(h("p", { class: "muted", text: "No node chosen: balances stay as last synced. Choose a node on the Relay screen." }));
    return box;
  }
  const out = h("div", { "aria-live": "polite" });
  const bar = h("progress", { max: "1", value: 0, "aria-label": "Sync progress", "aria-valuemin": "0", "aria-valuemax": "1", "aria-valuenow": "0", "data-testid": "sync-progress" });
  const status = h("p", { "data-testid": "sync-status", text: "Asking the node for its tip…" });
  const progress = h("div", { class: "sync-progress" }, bar, status);
  const show = (p) => {
    if (!p || p.wallet_id !== w.id) return;
    if (p.stage === "mempool") {
      status.textContent = "Checking the node's mempool…";
      return;
    }
    const total = Math.max(1, p.total || 0);
    bar.max = total;
    bar.value = Math.min(p.scanned || 0, total);
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(bar.value));
    bar.setAttribute("aria-valuetext", `${p.scanned} of ${p.total} blocks scanned`);
    const rate = p.rate >= 10 ? Math.round(p.rate) : Math.round((p.rate || 0) * 10) / 10;
    status.textContent = `Block ${p.height} of ${p.tip_height} · ${rate} blocks/s · about ${Math.ceil(p.eta_seconds || 0)} s left`;
  };
  const cancel = h("button", {
    type: "button", class: "secondary",
    onclick: async () => {
      cancel.disabled = true;
      cancel.textContent = "Cancelling…";
      try {
        await app.call("wallets.cancelSync", { id: w.id });
      } catch (err) {
        out.replaceChildren(errorBox(err));
      }
    },
  }, "Cancel");
  const button = h("button", {
    type: "button",
    onclick: async () => {
      button.disabled = true;
      button.textContent = "Syncing…";
      cancel.disabled = false;
      cancel.textContent = "Cancel";
      status.textContent = "Asking the node for its tip…";
      bar.value = 0;
      out.replaceChildren(progress, cancel);
      const off = app.engine && app.engine.on ? app.engine.on("sync.progress", show) : () => {};
      try {
        if (!app.relay.csrf) await app.relay.me();
        const res = await app.call("wallets.sync", { id: w.id, relay: location.origin, node_id: nodeID, csrf: app.relay.csrf }, { timeout: 600000 });
        sessionStorage.setItem("specter.synced", `Synced to block ${res.tip.height}: ${res.scanned} blocks scanned${res.used_filters ? " with block filters" : ""}, ${res.matched} with this wallet's transactions.`);
        app.go(`#/wallets/${encodeURIComponent(w.id)}/overview`);
      } catch (err) {
        out.replaceChildren(errorBox(err));
        button.disabled = false;
        button.textContent = "Sync with the node";
      } finally {
        off();
      }
    },
  }, "Sync with the node");
  const last = sessionStorage.getItem("specter.synced");
  if (last) {
    sessionStorage.removeItem("specter.synced");
    out.append(h("p", { class: "notice", text: last }));
  }
  box.append(h("p", { class: "muted", text: "Balances come from the last sync with your node." }), button, out);
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
  function redraw() {
    const amt = amount.value.trim();
    if (amt && !/^\d{1,8}(\.\d{1,8})?$/.test(amt)) {
      showError(slot, { message: `"${amt}" is not an amount in BTC`, hint: "write it like 0.0015 (at most 8 decimals)" });
      return;
    }
    showError(slot, null);
    const uri = bip21(a.address, amt, label.value.trim());
    uriText.textContent = uri;
    drawQR(canvas, encodeQR(uri, "M"), { scale: 6 });
    canvas.setAttribute("aria-label", "QR code of " + uri);
  }
  amount.addEventListener("input", redraw);
  label.addEventListener("input", redraw);
  const saveLabel = h("button", {
    type: "button", class: "secondary",
    onclick: async () => {
      try {
        await app.call("labels.set", { wallet_id: w.id, label: { type: "addr", ref: a.address, label: label.value.trim() } });
        app.announce("Label saved.");
      } catch (err) {
        showError(slot, err);
      }
    },
  }, "Save the label");
  panel.append(h("div", { class: "qr" }, canvas,
    h("div", {},
      h("p", {}, "Receive address #" + a.index + ":"),
      h("p", {}, h("code", { class: "mono", "data-testid": "receive-address", text: a.address })),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => copyText(a.address, app.announce) }, "Copy the address")),
      field("Amount in BTC (optional)", amount, "Adds amount= to the bitcoin: link (BIP21)."),
      field("Label", label), saveLabel,
      h("p", {}, "Link: ", uriText),
      h("p", { class: "help", text: "Check the address on your signer's screen before you give it out." }))));
  redraw();
}

async function tabAddresses(panel, app, w, keychain, units) {
  const base = `#/wallets/${encodeURIComponent(w.id)}/addresses`;
  panel.append(h("div", { class: "actions" },
    h("a", { class: keychain === 0 ? "button" : "button secondary", href: base, "aria-current": keychain === 0 ? "true" : false }, "Receive addresses"),
    h("a", { class: keychain === 1 ? "button" : "button secondary", href: base + "/change", "aria-current": keychain === 1 ? "true" : false }, "Change addresses")));
  const { addresses } = await app.call("wallets.addresses", { id: w.id, keychain });
  const rows = addresses.map((a) => [String(a.index), h("code", { class: "mono", text: a.address }), a.used ? "used" : "handed out",
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
      rows.push([String(a.index), h("code", { class: "mono", text: a.address }), "not handed out yet", formatAmount(0, units), addrLabels[a.address] || ""]);
    }
  } catch (err) {
    panel.append(errorBox(err));
  }
  panel.append(table(keychain === 0 ? "Receive addresses" : "Change addresses", ["#", "Address", "Status", "Balance", "Label"], rows,
    "No addresses derived yet."));
}

async function tabTransactions(panel, app, w, units) {
  const { transactions } = await app.call("wallets.transactions", { id: w.id });
  const explorer = app.config && app.config.explorer;
  panel.append(table("Transactions", ["Date", "Transaction", "Status", "Amount", "Label"],
    transactions.map((t) => {
      const when = t.block_time || t.first_seen;
      const txid = explorer ? h("a", { href: explorer + "tx/" + t.txid, rel: "noopener noreferrer", target: "_blank", text: t.txid }) : h("code", { class: "mono", text: t.txid });
      return [when ? new Date(when * 1000).toLocaleString() : "", txid,
        t.status === "confirmed" ? `${t.confirmations} confirmations` : t.status, formatAmount(t.net, units), t.label || ""];
    }), "No transactions yet. Choose a node to sync the wallet."));
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
    }, "Export history (CSV)"), slot);
  }
}

async function tabUTXOs(panel, app, w, units, slot) {
  const { utxos } = await app.call("wallets.utxos", { id: w.id });
  panel.append(table("Unspent outputs", ["Output", "Address", "Amount", "Status", "Coin control"],
    utxos.map((u) => [h("code", { class: "mono", text: u.outpoint }), h("code", { class: "mono", text: u.address }), formatAmount(u.value, units),
      (u.confirmed ? "confirmed" : "unconfirmed") + (u.locked_by ? ", in a pending PSBT" : ""),
      h("button", {
        type: "button", class: "secondary", "aria-pressed": u.frozen ? "true" : "false",
        onclick: async () => {
          try {
            await app.call("wallets.setFrozen", { id: w.id, outpoint: u.outpoint, frozen: !u.frozen });
            app.announce(u.frozen ? "Output unfrozen." : "Output frozen.");
            app.go(`#/wallets/${encodeURIComponent(w.id)}/utxos`);
          } catch (err) {
            showError(slot, err);
          }
        },
      }, u.frozen ? "Unfreeze" : "Freeze")]),
    "No unspent outputs."));
}

async function tabSettings(panel, app, w, slot) {
  const base = `#/wallets/${encodeURIComponent(w.id)}`;
  const newName = h("input", { type: "text", name: "rename", value: w.name, required: true });
  const rename = h("form", { class: "panel" }, h("h2", { text: "Rename" }), field("New name", newName), h("button", { type: "submit" }, "Rename"));
  rename.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await app.call("wallets.rename", { id: w.id, name: newName.value.trim() });
      app.announce("Wallet renamed.");
      app.go(base + "/settings");
    } catch (err) {
      showError(slot, err);
    }
  });
  const gap = h("input", { type: "number", name: "gap", min: "1", value: String(w.gap_limit || 20) });
  const gapForm = h("form", { class: "panel" }, h("h2", { text: "Gap limit" }),
    field("Unused addresses watched past the last used one", gap), h("button", { type: "submit" }, "Save"));
  gapForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await app.call("wallets.setGapLimit", { id: w.id, gap_limit: Number(gap.value) });
      app.announce("Gap limit saved.");
    } catch (err) {
      showError(slot, err);
    }
  });
  const descs = h("section", { class: "panel" }, h("h2", { text: "Descriptors" }),
    facts([["Receive", h("code", { class: "mono", "data-testid": "descriptor-receive", text: w.receive })],
      ["Change", h("code", { class: "mono", "data-testid": "descriptor-change", text: w.change })]]),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => copyText(w.receive, app.announce) }, "Copy the receive descriptor")));
  const exportBox = h("section", { class: "panel" }, h("h2", { text: "Export" }),
    h("p", {}, h("a", { href: base + "/print", text: "Printable backup page with QR codes" })));
  if (app.methods.has("wallets.exportFile") && app.methods.has("walletfile.formats")) {
    try {
      const { formats } = await app.call("walletfile.formats");
      const fmt = h("select", { name: "format" }, formats.map((f) => h("option", { value: f.name || f, text: f.title || f.name || f })));
      exportBox.append(field("File format", fmt), h("button", {
        type: "button",
        onclick: async () => {
          try {
            const res = await app.call("wallets.exportFile", { id: w.id, format: fmt.value });
            download(`${w.name}-${res.format}.${res.text.trim().startsWith("{") ? "json" : "txt"}`, res.text, "text/plain");
          } catch (err) {
            showError(slot, err);
          }
        },
      }, "Download the wallet file"));
    } catch (err) {
      exportBox.append(errorBox(err));
    }
  } else {
    exportBox.append(h("button", { type: "button", onclick: () => download(w.name + "-descriptors.txt", w.receive + "\n" + w.change + "\n", "text/plain") }, "Download the descriptors"));
  }
  const del = h("section", { class: "panel" }, h("h2", { text: "Delete" }),
    h("p", {}, "Deletes the wallet with its history, labels and pending PSBTs from this browser. Its devices stay; the funds are not affected."),
    confirmButton("Delete the wallet", `Delete ${w.name}?`, async () => {
      try {
        await app.call("wallets.delete", { id: w.id });
        app.announce("Wallet deleted.");
        app.go("#/wallets");
      } catch (err) {
        showError(slot, err);
      }
    }));
  panel.append(rename, descs, gapForm, exportBox, del);
}

// renderPrint is a printable backup of the wallet setup: the policy, the
// devices with their key origins, and the descriptors as text and QR codes
// (enough to recreate the watch-only wallet anywhere).
async function renderPrint(root, app, id) {
  const w = await app.call("wallets.get", { id });
  const { devices } = await app.call("devices.list");
  const byID = Object.fromEntries(devices.map((d) => [d.id, d]));
  const qrBlock = (title, text, testid) => {
    const canvas = h("canvas", { role: "img", "aria-label": "QR code of the " + title.toLowerCase(), "data-testid": testid });
    drawQR(canvas, encodeQR(text, "L"), { scale: 3 });
    return h("figure", { class: "print-qr" }, canvas, h("figcaption", {}, h("strong", { text: title + ": " }), h("code", { class: "mono", text })));
  };
  const descriptor = w.descriptor || w.receive;
  root.append(heading("Wallet backup: " + w.name),
    h("p", { class: "noprint" }, h("button", { type: "button", onclick: () => window.print() }, "Print"), " ",
      h("a", { class: "button secondary", href: `#/wallets/${encodeURIComponent(id)}/settings` }, "Back")),
    facts([["Policy", policy(w)], ["Script", w.script_type], ["Network", w.network], ["Created", new Date(w.created_at).toLocaleString()],
      ["Birthday block", String(w.birthday || 0)]]),
    h("h2", { text: "Devices" }),
    table("Devices and their keys", ["Device", "Type", "Keys"], (w.device_ids || []).map((d) => {
      const dev = byID[d];
      return [dev ? dev.name : d, dev ? dev.type : "", dev ? dev.keys.map((k) => "[" + k.origin + "]").join(" ") : ""];
    })),
    h("h2", { text: "Descriptors" }),
    qrBlock("Wallet descriptor", descriptor, "print-qr-descriptor"),
    w.descriptor ? "" : qrBlock("Change descriptor", w.change, "print-qr-change"),
    h("p", { class: "help", text: "Keep this page with your devices' backups: with it and M devices, any descriptor wallet can spend the funds." }));
}
