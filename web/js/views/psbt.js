// #/psbt: air-gapped signing (issue 6). Import a PSBT (camera QR scan,
// file upload in binary or base64, paste), review it in full (amounts, fee,
// fee rate, change verified from the wallet's descriptors when it belongs
// to a stored wallet: psbt.analyse), sign with a hot device (password) or
// route it to a QR or SD-card signer in the device type's default format
// (airgap.profiles) or another one, scan the signed PSBT back, combine,
// finalize, and export the result (file or QR). Subroutes:
//   #/psbt/register/WALLET          multisig registration per device (airgap.register)
//   #/psbt/address/WALLET/INDEX     show-address-on-device QR (airgap.addressQR)
//   #/psbt/device                   add a device from its xpub QR code or export file
//                                   (crypto-account, crypto-hdkey, [fp/path]xpub, Coldcard JSON)
// The PSBT being worked on is kept in sessionStorage so the subroutes and a
// reload do not lose it.
import { animatedQR, drawText } from "../animqr.js";
import { cameraScanner } from "../camera.js";
import { t, tn } from "../i18n.js";
import { add, base64ToBytes, download, downloadFile, errorBox, facts, field, formatAmount, h, heading, setChildren, showError, table } from "../ui.js";
import { deviceModels, modelName, modelSelect, typeName } from "./devices.js";

const STORE = "specter.psbt.current";
// The formats' names are functions so that they are translated when drawn;
// device type names come from devices.js (typeName).
const FORMAT_NAMES = () => ({
  ur: t("BC-UR crypto-psbt (animated)"), "ur-psbt": t("BC-UR psbt (newer name, animated)"), bbqr: t("BBQr (Coldcard Q)"),
  pmofn: t("Specter pMofN (animated base64)"), static: t("One QR code (base64)"), file: t("File (SD card or download)"),
});
const ALL_FORMATS = ["ur", "ur-psbt", "bbqr", "pmofn", "static", "file"];
const REGISTER_FORMATS = () => ({
  ur: t("BC-UR bytes (animated)"), bbqr: t("BBQr (animated)"), pmofn: t("Specter pMofN (animated)"), static: t("One QR code"),
});

function loadState() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "{}");
  } catch {
    return {};
  }
}

function saveState(s) {
  sessionStorage.setItem(STORE, JSON.stringify(s));
}


/**
 * The profile model (airgap.profiles) of a device: its stored model when a
 * profile has it (a Coldcard "q"), else the type's general profile ("",
 * which is also a Coldcard "mk4").
 */
function profileModel(d, typeProfiles) {
  if (d && d.model && typeProfiles.some((p) => p.model === d.model)) return d.model;
  return typeProfiles.some((p) => p.model === "") ? "" : (typeProfiles[0] ? typeProfiles[0].model : "");
}

/** Appends the children that are not null, false or undefined. */
export async function render(root, app, parts) {
  const { wallets } = await app.call("wallets.list");
  const layout = h("div", { class: "airgap-layout" });
  const side = sidebar(wallets);
  const body = h("div", { class: "airgap-main" });
  layout.append(side, body);
  if (parts[0] === "register" && parts[1]) await renderRegister(body, app, parts[1]);
  else if (parts[0] === "address" && parts[1]) await renderAddress(body, app, parts[1], Number(parts[2] || 0));
  else if (parts[0] === "device") await renderAddDevice(body, app);
  else await renderSigning(body, app, wallets);
  root.append(layout);
}

function sidebar(wallets) {
  return h("nav", { class: "airgap-side", "aria-label": t("Air-gapped signers") },
    h("ul", {},
      h("li", {}, h("a", { href: "#/psbt", text: t("Sign a PSBT") })),
      h("li", {}, h("a", { href: "#/psbt/device", text: t("Add a device from its QR code") })),
      wallets.map((w) => [
        h("li", {}, h("a", { href: "#/psbt/register/" + encodeURIComponent(w.id), text: t("Register {name} on devices", { name: w.name }) })),
        h("li", {}, h("a", { href: "#/psbt/address/" + encodeURIComponent(w.id) + "/0", text: t("Check an address of {name}", { name: w.name }) })),
      ])));
}

// ---- signing ----

async function renderSigning(root, app, wallets) {
  const state = loadState();
  if (state.wallet && !wallets.some((w) => w.id === state.wallet)) state.wallet = "";
  if (state.wallet === undefined) state.wallet = wallets.length ? wallets[0].id : "";
  const { profiles } = await app.call("airgap.profiles");
  root.append(heading(t("Air-gapped signing")),
    h("p", {}, t("Load a PSBT, check it, have the signers sign it by QR code or file, and export the signed transaction. This works with the network off.")));

  const walletSel = h("select", { name: "wallet" },
    h("option", { value: "", text: t("Not a stored wallet") }),
    wallets.map((w) => h("option", { value: w.id, text: `${w.name} (${w.m || 1}-of-${w.n || 1}, ${w.network})` })));
  walletSel.value = state.wallet;
  const netSel = h("select", { name: "network" }, ["main", "test", "signet", "regtest"].map((n) => h("option", { value: n, text: n })));
  netSel.value = state.network || "main";
  const netField = field(t("Network"), netSel);
  netField.hidden = !!state.wallet;
  walletSel.addEventListener("change", () => { state.wallet = walletSel.value; saveState(state); refresh(); });
  netSel.addEventListener("change", () => { state.network = netSel.value; saveState(state); refresh(); });

  const importErr = h("div");
  const paste = h("textarea", { name: "psbt-text", rows: "4", spellcheck: "false" });
  const loadPasted = h("button", { type: "button", text: t("Load the pasted PSBT") });
  const importScanner = cameraScanner(app, { label: t("Scan or load a PSBT"), onResult: (p) => take(p, true) });
  const review = h("section", { class: "panel", "aria-labelledby": "review-h", "data-testid": "psbt-review" });
  const signers = h("section", { class: "panel", "aria-labelledby": "signers-h" });
  const signerSlot = h("div", { class: "signer-slot" });
  const finalSlot = h("section", { class: "panel", "aria-labelledby": "final-h" });
  const pendingSlot = h("div", { class: "pending" });

  async function renderPending() {
    pendingSlot.replaceChildren();
    if (!state.wallet) return;
    try {
      const { psbts } = await app.call("psbts.list", { wallet_id: state.wallet });
      if (!psbts.length) return;
      pendingSlot.append(h("h3", { text: t("Pending transactions of this wallet") }),
        h("ul", { class: "signer-list" }, psbts.map((p) => {
          const b = h("button", { type: "button", class: "secondary", text: t("Load {name}", { name: p.name }) });
          b.addEventListener("click", () => take({ kind: "psbt", psbt: p.psbt }, true, { wallet_id: p.wallet_id, id: p.id, name: p.name }));
          return h("li", {}, b, " ", h("span", { class: "sub mono", text: p.id.slice(0, 16) + "…" }));
        })));
    } catch (err) {
      pendingSlot.append(errorBox(err));
    }
  }

  async function take(payload, fresh, pending = null) {
    showError(importErr, null);
    try {
      if (payload.kind === "transaction") {
        state.final = { tx_hex: payload.hex };
        saveState(state);
        renderFinal();
        app.announce(t("A signed transaction was loaded."));
        return;
      }
      if (payload.kind !== "psbt") {
        throw Object.assign(new Error(t("this holds {what}, not a PSBT", { what: payload.kind === "wallet-setup" ? t("a wallet setup") : payload.kind })), { hint: t("load the PSBT the wallet or the signer wrote") });
      }
      if (fresh || !state.psbt) {
        const d = await app.call("psbt.decode", { psbt: payload.psbt });
        state.psbt = d.psbt;
        state.final = null;
        state.pending = pending;
      } else {
        const c = await app.call("psbt.combine", { psbts: [state.psbt, payload.psbt] });
        state.psbt = c.psbt;
        if (state.pending && state.pending.wallet_id === state.wallet) {
          // Keep the signatures with the wallet's pending transaction.
          await app.call("psbts.save", { wallet_id: state.pending.wallet_id, name: state.pending.name, psbt: state.psbt });
        }
      }
      saveState(state);
      await refresh();
      app.announce(fresh ? t("The PSBT is loaded: review it below.") : t("The signed PSBT was combined."));
    } catch (err) {
      showError(fresh ? importErr : signerSlot.querySelector(".signer-errors") || importErr, err);
    }
  }

  loadPasted.addEventListener("click", () => {
    const text = paste.value.trim();
    if (!text) { showError(importErr, Object.assign(new Error(t("nothing was pasted")), { hint: t("paste the PSBT as base64 or hex") })); return; }
    take({ kind: "psbt", psbt: text }, true);
  });

  async function wallet() {
    return state.wallet ? app.call("wallets.get", { id: state.wallet }) : null;
  }

  // refresh loads everything the review needs first, then swaps the panels
  // in one step: no blank review while the engine works, and a refresh
  // overtaken by a newer one (another PSBT loaded meanwhile) draws nothing.
  let generation = 0;
  async function refresh() {
    const mine = ++generation;
    netField.hidden = !!state.wallet;
    await renderPending();
    let w = null, a = null, devices = [], failure = null;
    if (state.psbt) {
      try {
        w = await wallet();
        // A stored wallet's PSBT is reviewed against the wallet itself:
        // change proven by its descriptors and within the addresses it
        // watches; any other PSBT on its own.
        a = w ? await app.call("wallets.analysePSBT", { id: w.id, psbt: state.psbt })
          : await app.call("psbt.analyse", { psbt: state.psbt, network: netSel.value });
        devices = w ? await walletDevices(app, w) : [];
      } catch (err) {
        failure = err;
      }
    }
    if (mine !== generation) return;
    review.replaceChildren();
    signers.replaceChildren();
    signerSlot.replaceChildren();
    finalSlot.replaceChildren();
    if (!state.psbt) {
      review.append(h("h2", { id: "review-h", text: t("Review") }), h("p", { class: "empty", text: t("No PSBT loaded yet.") }));
      return;
    }
    if (failure) {
      review.append(h("h2", { id: "review-h", text: t("Review") }), errorBox(failure));
      return;
    }
    renderReview(a, w);
    renderSigners(a, devices);
    renderFinal(a);
  }

  function renderReview(a, w) {
    const units = (app.config && app.config.units) || "btc";
    const sigs = a.inputs.map((i) => i.signatures_required ? t("{have} of {needed}", { have: i.signatures, needed: i.signatures_required }) : (i.finalized ? t("final") : `${i.signatures}`));
    add(review, h("h2", { id: "review-h", text: t("Review") }),
      facts([
        [t("Transaction id"), h("code", { text: a.txid })],
        [t("Wallet"), w ? w.name : t("not a stored wallet: change cannot be verified")],
        [t("Inputs"), formatAmount(a.input_total, units)],
        [t("Sending"), h("span", { "data-testid": "psbt-sent", text: formatAmount(a.sent, units) })],
        [t("Fee"), h("span", { "data-testid": "psbt-fee", text: a.fee_known ? formatAmount(a.fee, units) : t("unknown (an input's amount is missing)") })],
        [t("Fee rate"), h("span", {
          "data-testid": "psbt-feerate",
          text: !a.fee_known ? t("unknown") : a.vsize_estimated ? t("{rate} sat/vB (estimated {vsize} vB)", { rate: a.fee_rate, vsize: a.vsize }) : t("{rate} sat/vB ({vsize} vB)", { rate: a.fee_rate, vsize: a.vsize }),
        })],
        [t("Signatures"), h("span", { "data-testid": "psbt-signatures", text: sigs.join(", ") })],
        [t("Replaceable (RBF)"), a.rbf ? t("yes") : t("no")],
      ]),
      table(t("Outputs"), [t("#"), t("Address"), t("Amount"), t("Whose")], a.outputs.map((o) => [
        String(o.index), h("span", { class: "mono", text: o.address || o.script }), formatAmount(o.amount, units),
        o.change && o.unwatched ? h("strong", { class: "bad", text: t("Change to #{index}, but NOT watched by this wallet: it would not see these funds", { index: o.address_index ?? 0 }) })
          : o.change ? h("strong", { text: o.branch === 1 ? t("Change, verified (change #{index})", { index: o.address_index ?? 0 }) : t("Change, verified (receive #{index})", { index: o.address_index ?? 0 }) })
          : o.claims_ours ? h("strong", { class: "bad", text: t("Claims to be change but is NOT this wallet's: check it") }) : t("Recipient"),
      ])),
      a.warnings && a.warnings.length ? h("div", { class: "warning" }, h("p", { text: t("Warnings") }), h("ul", {}, a.warnings.map((msg) => h("li", { text: msg })))) : null);
  }

  function renderSigners(a, devices) {
    signers.append(h("h2", { id: "signers-h", text: t("Sign") }));
    if (a.inputs.every((i) => i.finalized || (i.signatures_required > 0 && i.signatures >= i.signatures_required))) {
      signers.append(h("p", { class: "notice", text: t("Every input has enough signatures: finalize it below.") }));
    }
    const list = h("ul", { class: "signer-list" });
    for (const d of devices) {
      const fps = d.keys.map((k) => String(k.origin || "").replace(/^\[/, "").slice(0, 8).toLowerCase());
      const signed = a.inputs.some((i) => (i.signed_by || []).some((fp) => fps.includes(fp.toLowerCase())));
      const btn = h("button", { type: "button", class: signed ? "secondary" : "", text: t("Sign with {name}", { name: d.name }) });
      btn.addEventListener("click", () => openSigner(d));
      list.append(h("li", {}, btn, " ", h("span", { class: "sub", text: signed ? t("{type} · signed", { type: typeName(d.type) }) : typeName(d.type) })));
    }
    const other = h("button", { type: "button", class: "secondary", text: t("Show to another signer") });
    other.addEventListener("click", () => openSigner(null));
    list.append(h("li", {}, other));
    signers.append(list, signerSlot);
    if (state.signer) {
      const d = devices.find((x) => x.id === state.signer);
      if (d || state.signer === "other") openSigner(d || null, true);
    }
  }

  function openSigner(d, quiet) {
    state.signer = d ? d.id : "other";
    saveState(state);
    const errs = h("div", { class: "signer-errors" });
    const title = h("h3", { tabindex: "-1", text: d ? t("Sign with {name}", { name: d.name }) : t("Another signer") });
    signerSlot.replaceChildren(title, errs);
    if (d && d.type === "hot") {
      const pw = h("input", { type: "password", name: "password", autocomplete: "current-password" });
      const go = h("button", { type: "button", text: t("Sign") });
      const run = async () => {
        go.disabled = true;
        showError(errs, null);
        try {
          const res = await app.call("devices.signPSBT", { id: d.id, password: pw.value, psbt: state.psbt });
          await take({ kind: "psbt", psbt: res.psbt }, false);
          app.announce(tn("{name} added {n} signature.", "{name} added {n} signatures.", res.signatures, { name: d.name }));
        } catch (err) {
          showError(errs, err);
        }
        go.disabled = false;
      };
      go.addEventListener("click", run);
      pw.addEventListener("keydown", (e) => { if (e.key === "Enter") run(); });
      signerSlot.append(field(t("Password of {name}", { name: d.name }), pw, t("The password that encrypts this device's seed in this browser.")), h("div", { class: "actions" }, go));
      if (!quiet) pw.focus();
      return;
    }
    let profile = null;
    const typeProfiles = d ? profiles.filter((p) => p.type === d.type) : profiles.filter((p) => p.type === "other");
    if (!typeProfiles.length) {
      signerSlot.append(h("p", { text: t("A {type} signs over USB, which this app does not reach: save the PSBT as a file for a desktop tool, or show it as a QR code to another signer.", { type: typeName(d.type) }) }));
    }
    const modelSel = typeProfiles.length > 1 ? h("select", { name: "model" }, typeProfiles.map((p) => h("option", { value: p.model, text: modelName(p.type, p.model || "mk4") }))) : null;
    // The model chosen here this session, else the device's stored model.
    const picked = d && state.models && state.models[d.id];
    if (modelSel) modelSel.value = picked !== undefined && typeProfiles.some((p) => p.model === picked) ? picked : profileModel(d, typeProfiles);
    const formatSel = h("select", { name: "format" });
    const showSlot = h("div");
    const note = h("p", { class: "help" });
    function formats() {
      profile = typeProfiles.find((p) => !modelSel || p.model === modelSel.value) || null;
      const first = profile ? [profile.default, ...profile.alternatives] : ["file"];
      const rest = ALL_FORMATS.filter((f) => !first.includes(f));
      const names = FORMAT_NAMES();
      setChildren(formatSel,
        h("optgroup", { label: t("This device reads") }, first.map((f, i) => h("option", { value: f, text: i === 0 ? t("{format} (default)", { format: names[f] }) : names[f] }))),
        rest.length ? h("optgroup", { label: t("Other formats") }, rest.map((f) => h("option", { value: f, text: names[f] }))) : null);
      formatSel.value = first[0];
      note.textContent = profile ? profile.note : t("Save the PSBT as a file, or show it as a QR code the signer reads.");
      note.toggleAttribute("data-engine", !!profile); // the engine's notes stay English
    }
    function show() {
      const fmt = formatSel.value;
      const file = async () => {
        const f = await app.call("airgap.psbtFile", { psbt: state.psbt });
        return { filename: f.filename, data: base64ToBytes(f.data), mime: f.mime };
      };
      if (fmt === "file") {
        const dl = h("button", { type: "button", text: t("Download the PSBT file") });
        dl.addEventListener("click", async () => {
          try { const f = await file(); download(f.filename, f.data, f.mime || "application/octet-stream"); } catch (err) { showError(errs, err); }
        });
        showSlot.replaceChildren(h("div", { class: "actions" }, dl));
        return;
      }
      const qr = animatedQR({
        label: t("PSBT for {signer} ({format})", { signer: d ? d.name : t("the signer"), format: FORMAT_NAMES()[fmt] }),
        testid: "psbt-qr",
        density: state.density || "medium",
        load: ({ density }) => { state.density = density; saveState(state); return app.call("airgap.frames", { psbt: state.psbt, format: fmt, density }).then((r) => r.frames); },
        file,
      });
      showSlot.replaceChildren(qr.el);
    }
    formats();
    modelSel?.addEventListener("change", () => {
      if (d) state.models = { ...(state.models || {}), [d.id]: modelSel.value };
      saveState(state);
      formats();
      show();
    });
    formatSel.addEventListener("change", show);
    const back = cameraScanner(app, { label: d ? t("Scan the signed PSBT from {name}", { name: d.name }) : t("Scan the signed PSBT"), onResult: (p) => take(p, false) });
    add(signerSlot, modelSel ? field(t("Model"), modelSel) : null, field(t("Format"), formatSel), note, showSlot, back.el);
    show();
    if (!quiet) title.focus();
  }

  function renderFinal(a) {
    finalSlot.replaceChildren(h("h2", { id: "final-h", text: t("Finalize and export") }));
    const errs = h("div");
    const units = (app.config && app.config.units) || "btc";
    if (state.psbt) {
      const dl = h("button", { type: "button", class: "secondary", text: t("Download the PSBT") });
      dl.addEventListener("click", async () => {
        try {
          const f = await app.call("airgap.psbtFile", { psbt: state.psbt });
          downloadFile(f);
        } catch (err) { showError(errs, err); }
      });
      const ready = !a || a.inputs.every((i) => i.finalized || (i.signatures_required > 0 && i.signatures >= i.signatures_required));
      const fin = h("button", { type: "button", text: t("Finalize"), disabled: !ready });
      fin.addEventListener("click", async () => {
        showError(errs, null);
        try {
          const r = await app.call("psbt.finalize", { psbt: state.psbt });
          if (!r.complete) throw Object.assign(new Error(t("only {finalized} of {inputs} inputs could be finalized", { finalized: r.finalized_inputs, inputs: r.inputs })), { hint: t("collect the missing signatures first") });
          state.final = r;
          saveState(state);
          renderFinal(a);
          app.announce(t("The transaction is final."));
          finalSlot.querySelector("[data-testid=final-tx]")?.focus();
        } catch (err) { showError(errs, err); }
      });
      const copy = h("button", { type: "button", class: "secondary", text: t("Copy the PSBT (base64)") });
      copy.addEventListener("click", () => navigator.clipboard?.writeText(state.psbt).then(() => app.announce(t("Copied.")), () => app.announce(t("Copying is not allowed here."))));
      finalSlot.append(h("div", { class: "actions" }, fin, dl, copy));
      if (!ready) finalSlot.append(h("p", { class: "help", text: t("Finalize becomes available once every input has enough signatures.") }));
    }
    if (state.final && state.final.tx_hex) {
      const hex = state.final.tx_hex;
      const dlt = h("button", { type: "button", text: t("Download the transaction (.txn)") });
      dlt.addEventListener("click", () => download((state.final.txid || "transaction").slice(0, 16) + ".txn", hex, "text/plain"));
      const qr = animatedQR({
        label: t("Signed transaction"),
        testid: "tx-qr",
        density: "high",
        load: ({ density }) => app.call("airgap.frames", { text: hex, format: hex.length <= 2000 ? "static" : "bbqr", density }).then((r) => r.frames),
      });
      finalSlot.append(h("div", { class: "notice" },
        h("p", { text: state.final.txid ? t("The transaction is signed and final. Transaction id: {txid}", { txid: state.final.txid }) : t("The transaction is signed and final.") }),
        a ? h("p", { text: t("It sends {amount} with a fee of {fee}.", { amount: formatAmount(a.sent, units), fee: formatAmount(a.fee, units) }) }) : null),
        field(t("Transaction (hex), to broadcast from any online node or wallet"),
          h("textarea", { readonly: true, rows: "4", name: "final-tx", "data-testid": "final-tx", value: hex })),
        h("div", { class: "actions" }, dlt), qr.el);
    }
    finalSlot.append(errs);
  }

  root.append(
    h("section", { class: "panel", "aria-labelledby": "import-h" },
      h("h2", { id: "import-h", text: t("Load a PSBT") }),
      field(t("Wallet it spends from"), walletSel, t("Its descriptors prove which outputs are change.")),
      netField,
      pendingSlot,
      importScanner.el,
      field(t("Or paste it (base64 or hex)"), paste),
      h("div", { class: "actions" }, loadPasted),
      importErr),
    review, signers, finalSlot);
  await refresh();
}

// ---- registration ----

async function walletSetup(app, w) {
  const text = w.descriptor || [w.receive, w.change].filter(Boolean).join("\n");
  const imp = await app.call("walletfile.import", { text, format: "descriptor", network: w.network });
  return { ...imp.setup, name: w.name, birthday_height: w.birthday || imp.setup.birthday_height || 0 };
}

async function walletDevices(app, w) {
  const out = [];
  for (const id of w.device_ids || []) {
    try { out.push(await app.call("devices.get", { id })); } catch { /* deleted */ }
  }
  return out;
}

async function renderRegister(root, app, walletID) {
  const w = await app.call("wallets.get", { id: walletID });
  root.append(heading(t("Register {name} on its devices", { name: w.name })),
    h("p", {}, t("A multisig signer must know the whole wallet (every cosigner's key and the threshold) to show the right change and addresses. Give each device the file or QR code below.")));
  if (!(w.m > 1 || w.n > 1) && w.kind !== "multi") root.append(h("p", { class: "help", text: t("This is a single-key wallet: devices need no registration, but the descriptor can still be given to them.") }));
  const setup = await walletSetup(app, w);
  for (const d of await walletDevices(app, w)) {
    const sec = h("section", { class: "panel", "aria-label": d.name });
    sec.append(h("h2", { translate: "no", text: `${d.name} (${typeName(d.type)})` }));
    root.append(sec);
    const models = d.type === "coldcard" ? ["", "q"] : null;
    const modelSel = models ? h("select", { name: "model" }, models.map((v) => h("option", { value: v, text: modelName(d.type, v || "mk4") }))) : null;
    // The device's stored model decides the default ("mk4" is the general "").
    if (modelSel) modelSel.value = models.some((v) => v && v === d.model) ? d.model : "";
    const slot = h("div");
    if (modelSel) sec.append(field(t("Model"), modelSel));
    sec.append(slot);
    const show = async () => {
      slot.replaceChildren();
      try {
        const model = modelSel ? modelSel.value : "";
        const { registrations } = await app.call("airgap.register", { setup, type: d.type, model, density: "medium" });
        registrations.forEach((r, i) => {
          const what = r.file ? t("file {name}", { name: r.file.filename }) : REGISTER_FORMATS()[r.format] || r.format;
          slot.append(h("h3", { text: i === 0 ? t("Default: {what}", { what }) : t("Or: {what}", { what }) }),
            h("p", { class: "help", "data-engine": "", text: r.note }));
          if (r.file) {
            const dl = h("button", { type: "button", text: t("Download {file}", { file: r.file.filename }) });
            dl.addEventListener("click", () => downloadFile(r.file));
            slot.append(h("div", { class: "actions" }, dl));
          } else if (r.frames) {
            slot.append(animatedQR({
              label: t("Wallet {wallet} for {device}", { wallet: w.name, device: d.name }),
              testid: "register-qr",
              load: ({ density }) => app.call("airgap.register", { setup, type: d.type, model, density }).then((x) => x.registrations[i].frames),
            }).el);
          }
        });
      } catch (err) {
        slot.append(errorBox(err));
      }
    };
    modelSel?.addEventListener("change", show);
    await show();
  }
}

// ---- show address on device ----

async function renderAddress(root, app, walletID, index) {
  const w = await app.call("wallets.get", { id: walletID });
  if (!Number.isInteger(index) || index < 0) index = 0;
  const desc = w.receive || w.descriptor;
  const { addresses } = await app.call("descriptor.addresses", { descriptor: desc, network: w.network, branch: 0, start: index, count: 1 });
  const address = addresses[0].address;
  root.append(heading(t("Check an address of {name} on a device", { name: w.name })));
  const idx = h("input", { type: "number", name: "index", min: "0", value: String(index) });
  const go = h("button", { type: "button", text: t("Show this address") });
  go.addEventListener("click", () => app.go(`#/psbt/address/${encodeURIComponent(walletID)}/${Math.max(0, Number(idx.value) || 0)}`));
  root.append(h("div", { class: "panel" }, field(t("Receive address number"), idx), h("div", { class: "actions" }, go),
    facts([[t("Address"), h("code", { "data-testid": "check-address", text: address })]])));
  for (const d of await walletDevices(app, w)) {
    const sec = h("section", { class: "panel", "aria-label": d.name }, h("h2", { translate: "no", text: `${d.name} (${typeName(d.type)})` }));
    root.append(sec);
    try {
      const { text } = await app.call("airgap.addressQR", { type: d.type, address, index, network: w.network });
      const canvas = h("canvas", { role: "img", "aria-label": t("Address QR for {name}", { name: d.name }), "data-testid": "address-qr", "data-frame": text });
      drawText(canvas, text, 300);
      sec.append(h("p", { class: "help", text: t("Scan this code with the device: it derives the address itself and tells whether it belongs to the wallet registered on it.") }),
        h("figure", { class: "animqr" }, canvas, h("figcaption", { class: "mono", text })));
    } catch (err) {
      sec.append(h("p", { "data-engine": "", text: err.message + (err.hint ? ". " + err.hint : "") }));
    }
  }
}

// ---- add a device from its QR code ----

async function renderAddDevice(root, app) {
  root.append(heading(t("Add a device from its QR code")),
    h("p", {}, t("Show the device's public key export (Keystone, Passport, Jade, SeedSigner, Krux: crypto-account or crypto-hdkey; Coldcard: its JSON export; any \"[fingerprint/path]xpub\") to the camera, or load its export file.")));
  const result = h("div");
  const types = await app.call("devices.types");
  const models = await deviceModels(app);
  const scanner = cameraScanner(app, {
    label: t("Scan the device's keys"),
    level: 2,
    onResult: (payload) => {
      result.replaceChildren();
      const keys = payload.keys;
      if (!keys || !keys.length) {
        result.append(errorBox(Object.assign(new Error(t("this holds {what}, not a device's public keys", { what: payload.kind === "psbt" ? t("a PSBT") : payload.kind })), { hint: t("on the device, choose its export of the multisig or single-key account (xpub)") })));
        return;
      }
      const name = h("input", { type: "text", name: "device-name", autocomplete: "off" });
      const type = h("select", { name: "device-type" }, types.filter((x) => x !== "hot").map((x) => h("option", { value: x, text: typeName(x) })));
      const guess = types.find((x) => (payload.source || "").toLowerCase().includes(x));
      type.value = guess || "other";
      const modelSlot = h("div");
      let model = null;
      const showModel = () => {
        model = modelSelect(models, type.value, "");
        if (model) model.name = "device-model";
        modelSlot.replaceChildren(...(model ? [field(t("Model"), model)] : []));
      };
      type.addEventListener("change", showModel);
      showModel();
      const errs = h("div");
      const addBtn = h("button", { type: "button", text: t("Add the device") });
      addBtn.addEventListener("click", async () => {
        showError(errs, null);
        try {
          const d = await app.call("devices.add", {
            name: name.value.trim(), type: type.value, ...(model && model.value ? { model: model.value } : {}),
            keys: keys.map((k) => Object.assign({ origin: k.origin, xpub: k.xpub }, k.script_hint ? { script_hint: k.script_hint } : {})),
          });
          app.announce(t("{name} was added.", { name: d.name }));
          app.go("#/devices/" + encodeURIComponent(d.id));
        } catch (err) {
          showError(errs, err);
        }
      });
      add(result, table(tn("{n} key found", "{n} keys found", keys.length), [t("Origin"), t("Extended public key"), t("Script")],
        keys.map((k) => [h("span", { class: "mono", text: "[" + String(k.origin).replace(/^\[|\]$/g, "") + "]" }), h("span", { class: "mono", text: k.xpub }), k.script_hint || ""])),
      field(t("Device name"), name), field(t("Device type"), type), modelSlot, h("div", { class: "actions" }, addBtn), errs);
      name.focus();
    },
  });
  root.append(scanner.el, result);
}
