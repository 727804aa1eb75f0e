import { inflateRawSync } from 'node:zlib';
// The names of the entries of a ZIP file (a .vsix), read from its central directory. Enough for the
// packaging test; no ZIP64, no multi-disk archives.
/** The number of entries and the offset of the central directory, from the end-of-central-directory record. */
function centralDirectory(buf) {
  // The end-of-central-directory record is in the last 22 + 65535 bytes.
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) return { count: buf.readUInt16LE(i + 10), p: buf.readUInt32LE(i + 16) };
  }
  throw new Error('not a ZIP file (no end of central directory)');
}

export function zipEntries(buf) {
  let { count, p } = centralDirectory(buf);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** The content of the entry `name` of a ZIP file (stored or deflated), or undefined when there is none. */
export function zipEntry(buf, name) {
  let { count, p } = centralDirectory(buf);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    if (buf.toString('utf8', p + 46, p + 46 + nameLen) === name) {
      // The local header's own name and extra lengths (they may differ from the central directory's).
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${name}: compression method ${method}`);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  return undefined;
}
