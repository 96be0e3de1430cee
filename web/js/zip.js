// A small ZIP reader (PKWARE APPNOTE.TXT 6.3: end of central directory,
// central directory, local headers; methods 0 stored and 8 deflate through
// the browser's DecompressionStream). Enough for Specter Desktop's backup
// zip; no ZIP64, no encryption.

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function zipError(message) {
  return Object.assign(new Error(message), { hint: "choose the specter-backup.zip that Specter Desktop saved, unchanged" });
}

async function inflate(data) {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Reports whether bytes start like a ZIP file. */
export function isZip(bytes) {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === LOCAL;
}

/**
 * Reads every file of a ZIP archive.
 * @param {Uint8Array} bytes
 * @returns {Promise<Map<string, Uint8Array>>} name -> contents
 */
export async function readZip(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw zipError("the file is not a ZIP archive (no end of central directory)");
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const out = new Map();
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) throw zipError("the ZIP archive's directory is damaged");
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const csize = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith("/")) continue; // a folder
    if (flags & 1) throw zipError(`${name} in the ZIP archive is encrypted`);
    if (csize === 0xffffffff || local === 0xffffffff) throw zipError("ZIP64 archives are not supported");
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL) throw zipError(`the ZIP entry ${name} is damaged`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + csize > bytes.length) throw zipError(`the ZIP entry ${name} is cut short`);
    const data = bytes.subarray(start, start + csize);
    if (method === 0) out.set(name, data.slice());
    else if (method === 8) out.set(name, await inflate(data));
    else throw zipError(`the ZIP entry ${name} uses compression method ${method}, which is not supported`);
  }
  return out;
}
