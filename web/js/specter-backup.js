// Restores Specter Desktop's backup zip (specter-backup.zip: devices/*.json
// and wallets/**/*.json, the files of its DeviceManager and WalletManager)
// into the engine: each device through devices.add (the engine reads
// Specter's device files), each wallet through wallets.importFile, or from
// its recv_descriptor/change_descriptor, and its non-default address labels.
import { t } from "./i18n.js";
import { readZip } from "./zip.js";

const TYPES = {
  coldcard: "coldcard", trezor: "trezor", ledger: "ledger", bitbox02: "bitbox02", jade: "jade", keystone: "keystone",
  cobo: "keystone", passport: "passport", seedsigner: "seedsigner", specter: "specterdiy", krux: "krux",
};

// network guesses a wallet's network from its first address.
function network(w) {
  const a = String(w.address || "");
  if (a.startsWith("bcrt1")) return "regtest";
  if (a.startsWith("bc1") || a.startsWith("1") || a.startsWith("3")) return "main";
  return "test";
}

const DEFAULT_LABEL = /^(Address|Change)[+ ]#\d+$/;

/**
 * Adds the devices and wallets of a Specter Desktop backup zip. A file
 * that cannot be added is a problem ("file: why", the engine's why in
 * English), and the others are added all the same.
 * @returns {Promise<{devices: number, wallets: number, labels: number, problems: string[]}>}
 */
export async function restoreSpecterZip(app, bytes) {
  const files = await readZip(bytes);
  const decode = (b) => new TextDecoder().decode(b);
  const res = { devices: 0, wallets: 0, labels: 0, problems: [] };
  const entries = [...files.entries()].filter(([n]) => n.endsWith(".json")).sort(([a], [b]) => a.localeCompare(b));
  const devices = entries.filter(([n]) => /(^|\/)devices\//.test(n));
  const wallets = entries.filter(([n]) => /(^|\/)wallets\//.test(n));
  if (!devices.length && !wallets.length) {
    throw Object.assign(new Error(t("the ZIP archive has no devices/ or wallets/ files")), { hint: t("choose the specter-backup.zip that Specter Desktop saved") });
  }
  for (const [name, data] of devices) {
    const text = decode(data);
    try {
      const d = JSON.parse(text);
      await app.call("devices.add", { name: d.name || d.alias || name, type: TYPES[String(d.type).toLowerCase()] || "other", export: text });
      res.devices++;
    } catch (err) {
      res.problems.push(t("{file}: {problem}", { file: name, problem: err.message }));
    }
  }
  for (const [name, data] of wallets) {
    const text = decode(data);
    try {
      const w = JSON.parse(text);
      let created;
      try {
        created = await app.call("wallets.importFile", { text, name: w.name || "", network: network(w) });
      } catch (err) {
        if (!w.recv_descriptor) throw err;
        created = await app.call("wallets.importDescriptor", {
          name: w.name || w.alias || name, descriptor: w.recv_descriptor, change: w.change_descriptor || "",
          network: network(w), birthday: Number(w.blockheight) || 0,
        });
      }
      res.wallets++;
      for (const [label, addrs] of Object.entries(w.labels || {})) {
        if (DEFAULT_LABEL.test(label)) continue;
        for (const a of [].concat(addrs)) {
          await app.call("labels.set", { wallet_id: created.wallet.id, label: { type: "addr", ref: a, label: label.replace(/\+/g, " ") } });
          res.labels++;
        }
      }
    } catch (err) {
      res.problems.push(t("{file}: {problem}", { file: name, problem: err.message }));
    }
  }
  return res;
}
