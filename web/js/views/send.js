// #/send/WALLET: Specter's send screen (issue 5). Recipients (several;
// address and amount in the chosen units; a CSV paste "address,amount"; a
// BIP21 link), send max, subtract the fee from an output, coin control
// (frozen and locked outputs shown disabled), the fee rate from the fee
// source of Settings (fees.estimate: the node, or a mempool.space-compatible
// server through the relay; the source is shown) with a manual sat/vB
// override and its fallback notice, RBF
// on by default. "Create" builds and stores the pending PSBT
// (wallets.createPSBT: its coins are locked) and opens its review:
//   #/send/WALLET/psbt/TXID   amounts, fee, fee rate, verified change,
//                             warnings; which cosigners signed; sign with a
//                             hot device; download the PSBT (binary or
//                             base64) and upload signed files (combined);
//                             finalize, testmempoolaccept, broadcast
//   #/send/WALLET/tx/TXID     the sent transaction's status (sync to update)
//                             with bump fee / cancel (RBF) or CPFP
// Unconfirmed transactions are listed on the send screen with the same
// bump / cancel / CPFP actions.
import { t, tDom, tn } from "../i18n.js";
import { confirmButton, download, downloadFile, errorBox, facts, field, fileBase64, formatAmount, h, heading, setChildren, showError, table } from "../ui.js";

const NETWORK_PREFIXES = {
  main: [/^bc1/i, /^[13]/],
  test: [/^tb1/i, /^[mn2]/],
  signet: [/^tb1/i, /^[mn2]/],
  regtest: [/^bcrt1/i, /^[mn2]/],
};

export async function render(root, app, parts) {
  const id = parts[0];
  if (!id) {
    root.append(heading(t("Send")), h("p", {}, tDom("Choose a wallet to send from on the {link}.", { link: h("a", { href: "#/wallets", text: t("wallets screen") }) })));
    return;
  }
  const w = await app.call("wallets.get", { id });
  if (parts[1] === "psbt" && parts[2]) return renderReview(root, app, w, parts[2]);
  if (parts[1] === "tx" && parts[2]) return renderSent(root, app, w, parts[2]);
  return renderForm(root, app, w);
}

function units(app) {
  return (app.config && app.config.units) === "sats" ? "sats" : "btc";
}

function base(w) {
  return "#/send/" + encodeURIComponent(w.id);
}

function nodeParams(app) {
  const nodeID = app.config && app.config.node_id;
  if (!nodeID) return null;
  return { relay: location.origin, node_id: nodeID, csrf: app.relay.csrf };
}

async function withNode(app) {
  const p = nodeParams(app);
  if (!p) {
    const err = new Error(t("no node is chosen"));
    err.hint = t("choose a node on the Relay screen first");
    throw err;
  }
  if (!app.relay.csrf) await app.relay.me();
  p.csrf = app.relay.csrf;
  return p;
}

// nodeRPC calls the chosen node through the relay's JSON-RPC proxy (only
// the relay's allowlisted methods) and returns the result.
async function nodeRPC(app, method, params) {
  const p = await withNode(app);
  const res = await app.relay.request("POST", `/api/nodes/${encodeURIComponent(p.node_id)}/rpc`, { jsonrpc: "1.0", id: method, method, params });
  if (res && res.error) throw hinted(t("the node answered {method} with an error: {error}", { method, error: res.error.message || JSON.stringify(res.error) }), t("check the node on the Relay screen"));
  return res ? res.result : null;
}

// parentFee is the fee in satoshis of an unconfirmed transaction that pays
// the wallet but spends others' coins (the wallet cannot know it): from the
// node's mempool entry (Core getmempoolentry fees.base, or btcd's verbose
// getrawmempool fee).
async function parentFee(app, txid) {
  const pick = (e) => (e && e.fees && typeof e.fees.base === "number" ? e.fees.base : e && typeof e.fee === "number" ? e.fee : null);
  let btc = null;
  try {
    btc = pick(await nodeRPC(app, "getmempoolentry", [txid]));
  } catch {
    btc = null;
  }
  if (btc === null) {
    const pool = await nodeRPC(app, "getrawmempool", [true]);
    btc = pick(pool && pool[txid]);
  }
  if (btc === null) throw hinted(t("the node does not have the transaction {txid} in its mempool", { txid }), t("sync the wallet: it may be confirmed or dropped already"));
  return Math.round(btc * 1e8);
}

/**
 * Parses an amount typed in the given units into satoshis, exactly (no
 * floating point). Throws an error with a hint on bad input.
 */
export function parseAmount(text, unit) {
  const s = String(text).trim().replace(/[\s,_]/g, "");
  if (unit === "sats") {
    if (!/^\d{1,16}$/.test(s)) throw hinted(t("\"{amount}\" is not an amount in sats", { amount: text }), t("write a whole number of satoshis, like 15000"));
    return Number(s);
  }
  const m = /^(\d{1,8})(?:\.(\d{0,8}))?$/.exec(s) || /^()\.(\d{1,8})$/.exec(s);
  if (!m) throw hinted(t("\"{amount}\" is not an amount in BTC", { amount: text }), t("write it like 0.0015 (at most 8 decimals)"));
  return Number(m[1] || "0") * 1e8 + Number((m[2] || "").padEnd(8, "0"));
}

function formatInput(sats, unit) {
  if (unit === "sats") return String(sats);
  const whole = Math.floor(sats / 1e8);
  const frac = String(sats % 1e8).padStart(8, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : String(whole);
}

/**
 * Reads the node's testmempoolaccept answer for one transaction and fails
 * closed: it returns nothing only when the node's verdict says the
 * transaction is allowed; otherwise (refused, or no verdict at all) it
 * returns the error to show, and the transaction must not be broadcast.
 */
export function mempoolRefusal(check) {
  const verdict = Array.isArray(check) && check.length === 1 ? check[0] : null;
  if (!verdict || typeof verdict !== "object" || typeof verdict.allowed !== "boolean") {
    return hinted(t("the node gave no verdict on the transaction (testmempoolaccept answered {answer}), so it was not broadcast", { answer: (JSON.stringify(check) ?? "nothing").slice(0, 200) }),
      t("check the node on the Relay screen, then try again"));
  }
  if (verdict.allowed) return null;
  const reason = verdict["reject-reason"] || verdict.reject_reason || t("no reason given");
  return hinted(t("the node would refuse the transaction: {reason}; it was not broadcast", { reason }),
    t("sync the wallet: its coins may be spent already, or raise the fee rate"));
}

// clearedNotice announces the pending transactions a sync found already
// sent or double-spent (removed by the engine, their coins unlocked).
function clearedNotice(app, res) {
  const n = (res && res.cleared_psbts) || 0;
  if (n) app.announce(tn("{n} pending transaction was already sent or its coins were spent: it was removed and its coins unlocked.", "{n} pending transactions were already sent or their coins were spent: they were removed and their coins unlocked.", n));
}

function hinted(message, hint) {
  const err = new Error(message);
  err.hint = hint;
  return err;
}

function wrongNetwork(address, network) {
  const a = address.trim();
  if (!a) return false;
  const own = NETWORK_PREFIXES[network] || [];
  if (network === "regtest" && /^tb1/i.test(a)) return true;
  return !own.some((re) => re.test(a));
}

// ---- the send form ----

async function renderForm(root, app, w) {
  const unit = units(app);
  const unitName = unit === "sats" ? "sats" : "BTC";
  root.append(heading(t("Send from {name}", { name: w.name })),
    h("p", { class: "muted" }, `${w.kind === "multi" ? t("{m}-of-{n} multisig", { m: w.m, n: w.n }) : t("single-sig")} · ${w.script_type} · ${w.network} · `,
      h("a", { href: "#/wallets/" + encodeURIComponent(w.id), text: t("Back to the wallet") })));
  const slot = h("div", { "aria-live": "polite" });
  root.append(slot);

  const [balance, { utxos }, { psbts }, { transactions }] = await Promise.all([
    app.call("wallets.balance", { id: w.id }), app.call("wallets.utxos", { id: w.id }),
    app.call("psbts.list", { wallet_id: w.id }), app.call("wallets.transactions", { id: w.id })]);
  root.append(facts([[t("Confirmed balance"), formatAmount(balance.confirmed, unit)],
    [t("Unconfirmed"), formatAmount((balance.trusted_pending || 0) + (balance.untrusted_pending || 0), unit)],
    [t("Locked by pending PSBTs"), formatAmount(balance.locked, unit)], [t("Frozen"), formatAmount(balance.frozen, unit)]]));

  if (psbts.length) {
    root.append(h("section", { class: "panel", "aria-labelledby": "pending-h" }, h("h2", { id: "pending-h", text: t("Pending transactions") }),
      h("ul", { "data-testid": "pending-psbts" }, psbts.map((p) => h("li", {},
        h("a", { href: `${base(w)}/psbt/${encodeURIComponent(p.id)}`, text: p.name || p.id }),
        " " + tn("({n} input locked)", "({n} inputs locked)", p.inputs.length))))));
  }

  // Recipients.
  const rowsEl = h("div", { class: "recipients" });
  const rows = [];
  function addRow(init = {}) {
    const n = rows.length + 1;
    const address = h("input", { type: "text", name: "address", autocomplete: "off", spellcheck: "false", value: init.address || "" });
    const amount = h("input", { type: "text", name: "amount", inputmode: "decimal", autocomplete: "off", value: init.amount ? formatInput(init.amount, unit) : "" });
    const max = h("input", { type: "checkbox", name: "max", id: `max-${n}-${Date.now()}`, checked: !!init.max });
    const subtract = h("input", { type: "checkbox", name: "subtract_fee", id: `sub-${n}-${Date.now()}` });
    const label = h("input", { type: "text", name: "label", autocomplete: "off", value: init.label || "" });
    const row = { address, amount, max, subtract, label };
    max.addEventListener("change", () => { amount.disabled = max.checked; });
    amount.disabled = max.checked;
    const remove = h("button", { type: "button", class: "secondary" }, t("Remove recipient {n}", { n }));
    const el = h("fieldset", { class: "recipient" }, h("legend", { text: t("Recipient {n}", { n }) }),
      field(t("Address"), address), field(t("Amount ({unit})", { unit: unitName }), amount),
      h("div", { class: "choice" }, max, h("label", { for: max.id, text: t("Send the maximum (everything left)") })),
      h("div", { class: "choice" }, subtract, h("label", { for: subtract.id, text: t("Subtract the fee from this amount") })),
      field(t("Label (optional)"), label), rows.length ? remove : null);
    row.el = el;
    remove.addEventListener("click", () => {
      rows.splice(rows.indexOf(row), 1);
      el.remove();
    });
    rows.push(row);
    rowsEl.append(el);
    return row;
  }
  addRow();
  function fillRecipients(list) {
    for (const r of list) {
      const empty = rows.find((x) => !x.address.value.trim() && !x.amount.value.trim());
      const row = empty || addRow();
      row.address.value = r.address;
      if (r.amount) row.amount.value = formatInput(r.amount, unit);
      row.max.checked = !!r.max;
      row.amount.disabled = row.max.checked;
      if (r.label) row.label.value = r.label;
    }
  }

  const paste = h("textarea", { name: "paste", spellcheck: "false", rows: "3", placeholder: t("bitcoin:bcrt1q...?amount=0.1  or lines of address,amount") });
  const pasteButton = h("button", {
    type: "button", class: "secondary",
    onclick: async () => {
      const text = paste.value.trim();
      if (!text) return;
      try {
        if (/^bitcoin:/i.test(text)) {
          const b = await app.call("spend.parseBIP21", { uri: text });
          fillRecipients([{ address: b.address, amount: b.amount, label: b.label }]);
        } else {
          const { recipients } = await app.call("spend.parseCSV", { text });
          fillRecipients(recipients);
        }
        paste.value = "";
        showError(slot, null);
        app.announce(t("Recipients filled in from the pasted text."));
      } catch (err) {
        showError(slot, err);
      }
    },
  }, t("Fill in from the pasted text"));

  // Coin control.
  const coinBoxes = utxos.map((u, i) => {
    const box = h("input", { type: "checkbox", name: "coin", value: u.outpoint, id: `coin-${i}`, disabled: u.frozen || !!u.locked_by });
    const why = u.frozen ? " " + t("(frozen)") : u.locked_by ? " " + t("(in a pending PSBT)") : u.confirmed ? "" : " " + t("(unconfirmed)");
    return h("div", { class: "choice" }, box,
      h("label", { for: box.id }, h("code", { class: "mono", text: u.outpoint }), ` ${formatAmount(u.value, unit)}${why}`));
  });
  const coins = h("details", { class: "panel" }, h("summary", { text: t("Coin control (optional)") }),
    coinBoxes.length ? h("fieldset", {}, h("legend", { text: t("Spend only these outputs") }), coinBoxes,
      h("p", { class: "help", text: t("Leave all unticked to let the wallet choose. Frozen outputs and outputs of pending PSBTs cannot be chosen.") }))
      : h("p", { class: "empty", text: t("No unspent outputs: sync the wallet with the node.") }));

  // Fee rate.
  const feeRate = h("input", { type: "number", name: "fee_rate", min: "1", step: "any", required: true, inputmode: "decimal" });
  const feeNote = h("div", { "aria-live": "polite" });
  let estimate = 0;
  const target = h("select", { name: "fee_target" });
  target.addEventListener("change", () => {
    if (target.value) feeRate.value = target.value;
  });
  const rbf = h("input", { type: "checkbox", name: "rbf", id: "send-rbf", checked: true });
  // The fee source of Settings: the node, or a mempool.space-compatible
  // server that the relay asks (fees.estimate reads the setting itself).
  const feeServer = app.config && app.config.fee_source && app.config.fee_source !== "node" ? app.config.fee_source : "";
  const feeBox = h("fieldset", { class: "panel" }, h("legend", { text: t("Fee") }),
    field(t("Confirmation target"), target), field(t("Fee rate (sat/vB)"), feeRate, feeServer ? t("The fee server's estimate for the target; type another rate to override it.") : t("The node's estimate for the target; type another rate to override it.")), feeNote,
    h("div", { class: "choice" }, rbf, h("label", { for: "send-rbf", text: t("Allow replacing it with a higher fee later (RBF)") })));
  (async () => {
    try {
      // A fee server needs the relay's session, not a node.
      let p = null;
      if (feeServer) {
        if (!app.relay.csrf) await app.relay.me();
        p = { ...(nodeParams(app) || { relay: location.origin }), csrf: app.relay.csrf };
      } else {
        p = await withNode(app);
      }
      const res = await app.call("fees.estimate", p);
      target.replaceChildren(...res.targets.map((x) => h("option", { value: String(x.fee_rate_sat_vb), text: t("{target} blocks: {rate} sat/vB", { target: x.target, rate: x.fee_rate_sat_vb }) })));
      const first = res.targets[0];
      if (first && !feeRate.value) feeRate.value = String(first.fee_rate_sat_vb);
      estimate = first ? first.fee_rate_sat_vb : 0;
      const min = res.min_relay_sat_vb > 0 ? res.min_relay_sat_vb : 0;
      let from = null;
      if (res.source === "mempool") {
        from = min ? t("Estimated by the fee server {server}. Its minimum fee is {rate} sat/vB.", { server: res.server, rate: min }) : t("Estimated by the fee server {server}.", { server: res.server });
      } else if (res.source === "node") {
        from = min ? t("Estimated by the node. Its minimum relay fee is {rate} sat/vB.", { rate: min }) : t("Estimated by the node.");
      }
      setChildren(feeNote,
        res.notice ? h("p", { class: "notice", "data-testid": "fee-notice", text: res.notice }) : null,
        from ? h("p", { class: "help", "data-testid": "fee-source", "data-source": res.source, text: from }) : null);
    } catch (err) {
      target.replaceChildren(h("option", { value: "", text: t("No estimate") }));
      if (!feeRate.value) feeRate.value = "1";
      const why = feeServer ? t("No fee estimate from the fee server {server} ({reason}): set the fee rate by hand.", { server: feeServer, reason: err.message })
        : t("No fee estimate from the node ({reason}): set the fee rate by hand.", { reason: err.message });
      setChildren(feeNote, h("p", { class: "notice", "data-testid": "fee-notice", text: why }),
        err.hint ? h("p", { class: "help", text: t("What to do: {hint}", { hint: err.hint }) }) : null);
    }
  })();

  const submit = h("button", { type: "submit" }, t("Create the transaction"));
  const form = h("form", { class: "panel", "aria-label": t("New transaction") },
    h("h2", { text: t("Recipients") }), rowsEl,
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => addRow().address.focus() }, t("Add a recipient"))),
    field(t("Paste a bitcoin: link or CSV lines (address,amount)"), paste, t("CSV amounts are in BTC, or in sats with the unit (\"1500 sats\").")),
    h("div", { class: "actions" }, pasteButton),
    coins, feeBox, h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showError(slot, null);
    try {
      const recipients = rows.map((r, i) => {
        const address = r.address.value.trim();
        if (!address) throw hinted(t("recipient {n} has no address", { n: i + 1 }), t("type or paste the address, or remove the recipient"));
        if (wrongNetwork(address, w.network)) {
          throw hinted(t("recipient {n}'s address {address} is not a {network} address", { n: i + 1, address, network: w.network }),
            t("this wallet is on {network}: check where the address came from", { network: w.network }));
        }
        const rec = { address, amount: 0 };
        if (r.max.checked) rec.max = true;
        else rec.amount = parseAmount(r.amount.value, unit);
        if (r.subtract.checked) rec.subtract_fee = true;
        if (r.label.value.trim()) rec.label = r.label.value.trim();
        return rec;
      });
      const rate = Number(feeRate.value);
      if (!(rate > 0)) throw hinted(t("the fee rate is missing"), t("give a fee rate in sat/vB, like 2"));
      const mustUse = coinBoxes.map((c) => c.querySelector("input")).filter((b) => b.checked).map((b) => b.value);
      const params = { id: w.id, recipients, fee_rate: rate };
      if (mustUse.length) { params.must_use = mustUse; params.use_only = true; }
      if (!rbf.checked) params.no_rbf = true;
      if (estimate) params.estimate = estimate;
      submit.disabled = true;
      const res = await app.call("wallets.createPSBT", params);
      openReview(app, w, res);
    } catch (err) {
      showError(slot, err);
      submit.disabled = false;
    }
  });
  root.append(form);
  root.append(unconfirmedSection(app, w, transactions, unit, slot));
}

// openReview opens the review of a built transaction (its warnings are
// stored with the pending PSBT).
function openReview(app, w, res) {
  app.announce(t("The transaction is ready for review."));
  app.go(`${base(w)}/psbt/${encodeURIComponent(res.id)}`);
}

// replaceControls are the bump / cancel (a send of ours) or CPFP (an
// incoming payment) controls of an unconfirmed transaction.
function replaceControls(app, w, tx, slot) {
  const rate = h("input", { type: "number", name: "new_fee_rate", min: "1", step: "any", value: String(Math.max(2, Math.ceil(((tx.fee || 0) / (tx.vsize || 1)) * 2))), "aria-label": t("New fee rate for {txid} (sat/vB)", { txid: tx.txid }) });
  const act = (method, extra = {}) => async () => {
    showError(slot, null);
    try {
      if (method === "wallets.cpfp" && !tx.fee_known) extra = { ...extra, parent_fee: await parentFee(app, tx.txid) };
      const res = await app.call(method, { id: w.id, txid: tx.txid, fee_rate: Number(rate.value), ...extra });
      openReview(app, w, res);
    } catch (err) {
      showError(slot, err);
    }
  };
  const outgoing = tx.net < 0;
  return h("div", { class: "actions" }, h("label", { for: rate.id || (rate.id = "rate-" + tx.txid.slice(0, 12)), text: t("New fee rate (sat/vB)") }), rate,
    outgoing ? h("button", { type: "button", onclick: act("wallets.bumpFee") }, t("Bump the fee")) : null,
    outgoing ? h("button", { type: "button", class: "secondary", onclick: act("wallets.cancelTx") }, t("Cancel the transaction")) : null,
    outgoing ? null : h("button", { type: "button", onclick: act("wallets.cpfp") }, t("Speed up (CPFP)")));
}

function unconfirmedSection(app, w, transactions, unit, slot) {
  const pending = transactions.filter((tx) => tx.status === "pending");
  const sec = h("section", { class: "panel", "aria-labelledby": "unconf-h" }, h("h2", { id: "unconf-h", text: t("Unconfirmed transactions") }));
  if (!pending.length) {
    sec.append(h("p", { class: "empty", text: t("None: nothing to bump, cancel or speed up.") }));
    return sec;
  }
  sec.append(h("ul", { class: "unconfirmed" }, pending.map((tx) => h("li", {},
    h("p", {}, h("a", { href: `${base(w)}/tx/${tx.txid}` }, h("code", { class: "mono", text: tx.txid })),
      " " + (tx.net < 0 ? t("sent {amount}", { amount: formatAmount(Math.abs(tx.net), unit) }) : t("received {amount}", { amount: formatAmount(Math.abs(tx.net), unit) })),
      tx.fee_known ? t(", fee {amount}", { amount: formatAmount(tx.fee, unit) }) : ""),
    replaceControls(app, w, tx, slot)))));
  return sec;
}

// ---- review, signatures, broadcast ----

function fingerprintOf(origin) {
  return String(origin || "").split("/")[0].toLowerCase();
}



async function renderReview(root, app, w, txid) {
  const unit = units(app);
  const pending = await app.call("psbts.get", { wallet_id: w.id, id: txid });
  // Reviewed against the stored wallet: change proven by its descriptors
  // and within the addresses it watches, fees above 500 sat/vB warned.
  const a = await app.call("wallets.analysePSBT", { id: w.id, psbt: pending.psbt });
  // The builder's warnings, stored with the pending PSBT.
  const built = pending.warnings || [];
  root.append(heading(t("Review the transaction")),
    h("p", { class: "muted" }, w.name + " · ", h("a", { href: base(w), text: t("Back to send") })));
  const slot = h("div", { "aria-live": "polite" });
  root.append(slot);

  // Warnings: the builder's, the analysis' (its absurd-fee ones only when
  // the builder gave none: they say the same), and the screen's own checks.
  const builtAbsurd = built.some((x) => /^absurd fee/.test(x));
  const analysed = (a.warnings || []).filter((x) => !(builtAbsurd && /^absurd fee/.test(x)));
  const warnings = [...new Set([...built, ...analysed])];
  for (const o of a.outputs) {
    if (o.dust) warnings.push(t("output {index} ({amount}) is dust: nodes will not relay it", { index: o.index, amount: formatAmount(o.amount, unit) }));
    if (o.address && wrongNetwork(o.address, w.network)) warnings.push(t("output {index} pays {address}, which is not a {network} address", { index: o.index, address: o.address, network: w.network }));
  }
  if (warnings.length) {
    root.append(h("div", { class: "warning", role: "alert", "data-testid": "send-warnings" }, h("p", {}, h("strong", { text: t("Check before signing:") })),
      h("ul", {}, warnings.map((msg) => h("li", { text: msg })))));
  }

  root.append(facts([
    [t("Transaction"), h("code", { class: "mono", "data-testid": "review-txid", text: a.txid })],
    [t("Sent to others"), h("span", { "data-testid": "review-sent", text: formatAmount(a.sent, unit) })],
    [t("Fee"), h("span", { "data-testid": "review-fee", text: a.fee_known ? formatAmount(a.fee, unit) : t("unknown") })],
    [t("Fee rate"), h("span", {
      "data-testid": "review-fee-rate",
      text: !a.fee_known ? t("unknown") : a.vsize_estimated ? t("{rate} sat/vB (estimated {vsize} vB)", { rate: a.fee_rate, vsize: a.vsize }) : t("{rate} sat/vB ({vsize} vB)", { rate: a.fee_rate, vsize: a.vsize }),
    })],
    [t("Replaceable (RBF)"), a.rbf ? t("yes") : t("no")],
  ]));
  root.append(table(t("Outputs"), [t("#"), t("Address"), t("Amount"), t("Kind")], a.outputs.map((o) => [String(o.index),
    h("code", { class: "mono", text: o.address || o.script }), formatAmount(o.amount, unit),
    o.change && o.unwatched ? h("strong", { class: "bad", text: t("change, but NOT watched: the wallet would not see it") })
      : o.change ? t("change (verified)") : o.claims_ours ? t("claims to be change: NOT verified") : t("recipient")])));
  root.append(table(t("Inputs"), [t("Output spent"), t("Amount"), t("Signatures")], a.inputs.map((i) => [h("code", { class: "mono", text: i.outpoint }),
    i.amount_known ? formatAmount(i.amount, unit) : t("unknown"), i.finalized ? t("final") : t("{have} of {needed}", { have: i.signatures, needed: i.signatures_required })])));

  // Cosigners: a device signed when its fingerprint signed every input.
  const { devices } = await app.call("devices.list");
  const walletDevices = devices.filter((d) => (w.device_ids || []).includes(d.id));
  const signedAll = (fp) => a.inputs.length > 0 && a.inputs.every((i) => i.finalized || (i.signed_by || []).map((x) => x.toLowerCase()).includes(fp));
  const devFP = (d) => (d.keys || []).map((k) => fingerprintOf(k.origin)).find(Boolean) || "";
  const needed = Math.max(0, ...a.inputs.map((i) => i.signatures_required || 0));
  const have = a.inputs.length ? Math.min(...a.inputs.map((i) => (i.finalized ? i.signatures_required : i.signatures))) : 0;
  // Ready to finalize: every input is final or has its signatures.
  const ready = a.complete || (a.inputs.length > 0 && a.inputs.every((i) => i.finalized || (i.signatures_required > 0 && i.signatures >= i.signatures_required)));
  const sigSec = h("section", { class: "panel", "aria-labelledby": "sig-h" }, h("h2", { id: "sig-h", text: t("Signatures") }),
    h("p", { "data-testid": "signature-count", text: ready ? t("Fully signed: ready to broadcast.") : t("{have} of {needed} signatures.", { have, needed }) }),
    h("ul", { "data-testid": "cosigners" }, walletDevices.map((d) => h("li", {}, `${d.name} (${devFP(d)}): `,
      h("strong", { text: signedAll(devFP(d)) ? t("signed") : t("not signed yet") })))));
  root.append(sigSec);

  async function store(psbtB64, what) {
    await app.call("psbts.save", { wallet_id: w.id, name: pending.name || "", psbt: psbtB64 });
    app.announce(what);
    app.go(`${base(w)}/psbt/${encodeURIComponent(txid)}`);
  }

  if (!ready) {
    // Hot devices of the wallet that have not signed.
    for (const d of walletDevices.filter((x) => x.type === "hot" && !signedAll(devFP(x)))) {
      const pw = h("input", { type: "password", name: "password", autocomplete: "current-password" });
      const go = h("button", { type: "button" }, t("Sign with {name}", { name: d.name }));
      go.addEventListener("click", async () => {
        go.disabled = true;
        showError(slot, null);
        try {
          const res = await app.call("devices.signPSBT", { id: d.id, password: pw.value, psbt: pending.psbt });
          if (!res.signatures) throw hinted(t("{name} added no signature", { name: d.name }), t("check that the device is one of this wallet's cosigners"));
          await store(res.psbt, t("{name} signed.", { name: d.name }));
        } catch (err) {
          showError(slot, err);
          go.disabled = false;
        }
      });
      sigSec.append(h("div", { class: "panel hot-sign" }, field(t("Password of {name}", { name: d.name }), pw, t("The password that encrypts this device's seed in this browser.")),
        h("div", { class: "actions" }, go)));
    }

    // Files for any device.
    const upload = h("input", { type: "file", name: "signed", multiple: true, accept: ".psbt,.txt,application/octet-stream,text/plain" });
    const pasted = h("textarea", { name: "signed_text", spellcheck: "false", rows: "3", placeholder: "cHNidP8B..." });
    async function combine(list) {
      showError(slot, null);
      try {
        if (!list.length) throw hinted(t("no signed PSBT was given"), t("choose the signed files or paste the signed PSBT"));
        const c = await app.call("psbt.combine", { psbts: [pending.psbt, ...list] });
        if (c.txid !== txid) throw hinted(t("the signed PSBT is of another transaction"), t("upload the file the signer made from this transaction"));
        await store(c.psbt, tn("{n} signed PSBT combined.", "{n} signed PSBTs combined.", list.length));
      } catch (err) {
        showError(slot, err);
      }
    }
    upload.addEventListener("change", async () => {
      const list = [];
      try {
        for (const f of upload.files) {
          const payload = await app.call("airgap.readFile", { base64: await fileBase64(f) });
          if (!payload.psbt) throw hinted(t("{file} holds no PSBT", { file: f.name }), t("choose the signed .psbt file the device wrote"));
          list.push(payload.psbt);
        }
      } catch (err) {
        showError(slot, err);
        return;
      }
      await combine(list);
    });
    sigSec.append(h("div", { class: "panel" }, h("h3", { text: t("Sign with another device (file)") }),
      h("div", { class: "actions" },
        h("button", {
          type: "button", class: "secondary",
          onclick: async () => {
            try {
              const f = await app.call("airgap.psbtFile", { psbt: pending.psbt, name: txid.slice(0, 8) });
              downloadFile(f);
            } catch (err) {
              showError(slot, err);
            }
          },
        }, t("Download the PSBT file (binary)")),
        h("button", { type: "button", class: "secondary", onclick: () => download(txid.slice(0, 8) + "-psbt.txt", pending.psbt + "\n", "text/plain") }, t("Download the PSBT as base64 text"))),
      field(t("Upload signed PSBT files (one or several)"), upload, t("Binary .psbt or base64 text; they are combined with the signatures here.")),
      field(t("Or paste a signed PSBT (base64)"), pasted),
      h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => combine(pasted.value.split(/\s+/).filter(Boolean)) }, t("Combine the pasted PSBT")))));
  } else {
    const out = h("div", { "aria-live": "polite" });
    const send = h("button", { type: "button" }, t("Broadcast the transaction"));
    send.addEventListener("click", async () => {
      send.disabled = true;
      showError(slot, null);
      try {
        const p = await withNode(app);
        const fin = await app.call("psbt.finalize", { psbt: pending.psbt });
        if (!fin.complete || !fin.tx_hex) throw hinted(t("the transaction could not be finalized"), t("collect the missing signatures"));
        out.replaceChildren(h("p", { text: t("Checking with the node (testmempoolaccept)…") }));
        const check = await nodeRPC(app, "testmempoolaccept", [[fin.tx_hex]]);
        const refused = mempoolRefusal(check);
        if (refused) throw refused;
        const { txid: sent } = await app.call("tx.broadcast", { ...p, tx_hex: fin.tx_hex });
        await app.call("psbts.delete", { wallet_id: w.id, id: txid });
        try {
          clearedNotice(app, await app.call("wallets.sync", { id: w.id, ...p }, { timeout: 600000 }));
        } catch {
          // the status screen says to sync again
        }
        app.announce(t("Transaction broadcast."));
        app.go(`${base(w)}/tx/${encodeURIComponent(sent)}`);
      } catch (err) {
        out.replaceChildren();
        showError(slot, err);
        send.disabled = false;
      }
    });
    sigSec.append(h("p", { class: "help", text: t("The node checks the transaction first (testmempoolaccept), then it is broadcast.") }), h("div", { class: "actions" }, send), out);
  }

  root.append(h("section", { class: "panel", "aria-labelledby": "discard-h" }, h("h2", { id: "discard-h", text: t("Discard") }),
    h("p", { text: t("Deletes this pending transaction and unlocks its coins. Signatures collected so far are lost.") }),
    confirmButton(t("Delete the pending transaction"), t("Delete it and unlock its coins?"), async () => {
      try {
        await app.call("psbts.delete", { wallet_id: w.id, id: txid });
        app.announce(t("Pending transaction deleted."));
        app.go(base(w));
      } catch (err) {
        showError(slot, err);
      }
    }, { yes: t("Yes, delete the pending transaction") })));
}

// renderSent shows a broadcast transaction as the wallet knows it.
async function renderSent(root, app, w, txid) {
  const unit = units(app);
  const { transactions } = await app.call("wallets.transactions", { id: w.id });
  const tx = transactions.find((x) => x.txid === txid);
  root.append(heading(t("Transaction")), h("p", { class: "muted" }, w.name + " · ", h("a", { href: base(w), text: t("Back to send") }), " · ",
    h("a", { href: `#/wallets/${encodeURIComponent(w.id)}/transactions`, text: t("All transactions") })));
  const slot = h("div", { "aria-live": "polite" });
  root.append(slot);
  const status = !tx ? t("not seen by the wallet yet: sync")
    : tx.status === "confirmed" ? tn("confirmed ({n} confirmation)", "confirmed ({n} confirmations)", tx.confirmations)
      : tx.status === "pending" ? t("unconfirmed") : tx.status;
  root.append(facts([
    [t("Transaction"), h("code", { class: "mono", "data-testid": "sent-txid", text: txid })],
    [t("Status"), h("span", { "data-testid": "sent-status", text: status })],
    tx ? [t("Amount"), h("span", { "data-testid": "sent-net", text: formatAmount(tx.net, unit) })] : null,
    tx && tx.fee_known ? [t("Fee"), h("span", { "data-testid": "sent-fee", text: formatAmount(tx.fee, unit) })] : null,
    tx && tx.conflict_winner ? [t("Replaced by"), h("a", { href: `${base(w)}/tx/${tx.conflict_winner}`, text: tx.conflict_winner })] : null,
  ]));
  const sync = h("button", { type: "button" }, t("Sync and check again"));
  sync.addEventListener("click", async () => {
    sync.disabled = true;
    showError(slot, null);
    try {
      const p = await withNode(app);
      clearedNotice(app, await app.call("wallets.sync", { id: w.id, ...p }, { timeout: 600000 }));
      app.go(`${base(w)}/tx/${encodeURIComponent(txid)}`);
    } catch (err) {
      showError(slot, err);
      sync.disabled = false;
    }
  });
  root.append(h("div", { class: "actions" }, sync));
  if (tx && tx.status === "pending") {
    root.append(h("section", { class: "panel", "aria-labelledby": "speed-h" }, h("h2", { id: "speed-h", text: tx.net < 0 ? t("Bump or cancel") : t("Speed up") }),
      replaceControls(app, w, tx, slot)));
  }
  if (!tx) root.append(errorBox(hinted(t("the wallet has not seen this transaction yet"), t("sync the wallet with the node"))));
}
