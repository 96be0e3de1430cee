// Restores Specter Desktop's backup zip (specter-backup.zip: devices/*.json
// and wallets/*.json, the files of its DeviceManager and WalletManager) with
// one engine call, backup.importSpecterZip: the engine unpacks the archive,
// checks every device, wallet and custom address label, and stores them all
// in one IndexedDB transaction, so a tab closed midway leaves the data as it
// was. A bad file refuses the whole archive; the engine's error names each
// file and its problem (in English, as every engine message).

// base64 encodes bytes for the engine's JSON messages, in chunks so a large
// archive does not overflow the argument list of String.fromCharCode.
function base64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
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
  return app.call("backup.importSpecterZip", { zip: base64(bytes) });
}
