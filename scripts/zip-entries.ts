/**
 * The entries of a .zip as its central directory lists them: name, stored (compressed) and unpacked
 * size. Enough to say what a deploy zip contains without unpacking it or a zip dependency.
 */
import { readFile } from 'node:fs/promises';

export interface ZipEntry {
  name: string;
  compressedBytes: number;
  bytes: number;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;

export async function zipEntries(file: string): Promise<ZipEntry[]> {
  const zip = await readFile(file);
  // The end record is the last 22 bytes, unless the archive has a comment: search back for it.
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== END_OF_DIRECTORY) end--;
  if (end < 0) throw new Error(`${file} is not a zip archive`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== DIRECTORY_ENTRY) throw new Error(`${file}: damaged central directory`);
    const compressedBytes = zip.readUInt32LE(at + 20);
    const bytes = zip.readUInt32LE(at + 24);
    if (compressedBytes === 0xffffffff || bytes === 0xffffffff) throw new Error(`${file}: zip64 entries are not read here`);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    entries.push({ name: zip.toString('utf8', at + 46, at + 46 + nameLength), compressedBytes, bytes });
    at += 46 + skip;
  }
  return entries;
}
