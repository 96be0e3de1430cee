// Restores Specter Desktop's backup zip (specter-backup.zip: devices/*.json
// and wallets/*.json, the files of its DeviceManager and WalletManager) with
// one engine call, backup.importSpecterZip: the engine unpacks the archive,
// checks every device, wallet and custom address label, and stores them all
// in one IndexedDB transaction, so a tab closed midway leaves the data as it
// was. A bad file refuses the whole archive; the engine's error names each
// file and its problem (in English, as every engine message).

import { bytesToBase64 } from "./ui.js";

/** Reports whether bytes start like a ZIP archive (a local file header,
 * PKWARE APPNOTE.TXT 4.3.7), as Specter Desktop's backup is. */
export function isZip(bytes) {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Adds the devices and wallets of a Specter Desktop backup zip, all or
 * nothing. Rejects with the engine's error (message, hint) when any file
 * is bad; then nothing was added.
 * @returns {Promise<{devices: number, wallets: number, labels: number, skipped: string[]}>}
 *   skipped lists the devices and wallets already here with the same keys
 *   or descriptors, left as they are.
 */
export async function restoreSpecterZip(app, bytes) {
  return app.call("backup.importSpecterZip", { zip: bytesToBase64(bytes) });
}
