/**
 * Just enough of the OLE compound file format (MS-CFB) to tell what an OLE file holds, from the
 * names of its top-level streams and storages, without reading any stream: an Outlook message
 * (`__substg1.0_…` property streams), a Word or Excel 97–2003 file (`WordDocument`, `Workbook`),
 * an encrypted OOXML file (`EncryptedPackage`). Runs in the server process on untrusted bytes,
 * so every loop is bounded and any inconsistency answers null.
 */

/** D0 CF 11 E0 A1 B1 1A E1: the signature of every compound file. */
export const COMPOUND_FILE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const END_OF_CHAIN = 0xfffffffe;
const MAX_REGULAR_SECTOR = 0xfffffffa;
/** Directory sectors followed at most (4 096 sectors of 4 KiB hold 131 072 entries). */
const MAX_DIRECTORY_SECTORS = 4096;
const ENTRY_SIZE = 128;

/** The names of the entries directly below the root storage, or null when `bytes` is no readable compound file. */
export function compoundFileRootNames(bytes: Uint8Array): string[] | null {
  if (bytes.length < 512 || !COMPOUND_FILE_MAGIC.every((value, index) => bytes[index] === value)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sectorShift = view.getUint16(0x1e, true);
  if (sectorShift !== 9 && sectorShift !== 12) return null;
  const sectorSize = 1 << sectorShift;
  const sectorOffset = (sector: number) => (sector + 1) * sectorSize;
  const fatSectors = fatSectorList(view, sectorSize, sectorOffset);
  if (fatSectors === null) return null;
  const entriesPerFatSector = sectorSize / 4;
  const nextSector = (sector: number): number | null => {
    const fatSector = fatSectors[Math.floor(sector / entriesPerFatSector)];
    if (fatSector === undefined) return null;
    const at = sectorOffset(fatSector) + (sector % entriesPerFatSector) * 4;
    return at + 4 <= bytes.length ? view.getUint32(at, true) : null;
  };

  // The directory stream: a chain of sectors starting at the header's first directory sector.
  const entries: Array<{ name: string; left: number; right: number; child: number }> = [];
  let sector = view.getUint32(0x30, true);
  for (let count = 0; sector !== END_OF_CHAIN; count++) {
    if (count >= MAX_DIRECTORY_SECTORS || sector > MAX_REGULAR_SECTOR || sectorOffset(sector) + sectorSize > bytes.length) return null;
    for (let offset = sectorOffset(sector); offset < sectorOffset(sector) + sectorSize; offset += ENTRY_SIZE) {
      const nameBytes = Math.min(view.getUint16(offset + 0x40, true), 64);
      const name = nameBytes >= 2 ? new TextDecoder('utf-16le').decode(bytes.subarray(offset, offset + nameBytes - 2)) : '';
      entries.push({ name, left: view.getUint32(offset + 0x44, true), right: view.getUint32(offset + 0x48, true), child: view.getUint32(offset + 0x4c, true) });
    }
    const next = nextSector(sector);
    if (next === null) return null;
    sector = next;
  }
  const root = entries[0];
  if (!root) return null;
  // The root's children form a binary tree through left/right siblings.
  const names: string[] = [];
  const seen = new Set<number>();
  const stack = [root.child];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id >= entries.length || seen.has(id)) continue;
    seen.add(id);
    const entry = entries[id]!;
    names.push(entry.name);
    stack.push(entry.left, entry.right);
  }
  return names;
}

/** Whether a compound file is an Outlook message: MAPI property streams at its top level. */
export function isOutlookMessage(bytes: Uint8Array): boolean {
  const names = compoundFileRootNames(bytes);
  return names !== null && names.includes('__properties_version1.0') && names.some((name) => name.startsWith('__substg1.0_'));
}

/** The sectors holding the FAT, from the header's 109 entries and the DIFAT chain; null when inconsistent. */
function fatSectorList(view: DataView, sectorSize: number, sectorOffset: (sector: number) => number): number[] | null {
  const fatCount = view.getUint32(0x2c, true);
  const sectors: number[] = [];
  for (let index = 0; index < 109 && sectors.length < fatCount; index++) sectors.push(view.getUint32(0x4c + index * 4, true));
  let difat = view.getUint32(0x44, true);
  const difatCount = view.getUint32(0x48, true);
  for (let count = 0; count < difatCount && difat <= MAX_REGULAR_SECTOR && sectors.length < fatCount; count++) {
    const start = sectorOffset(difat);
    if (start + sectorSize > view.byteLength) return null;
    for (let index = 0; index < sectorSize / 4 - 1 && sectors.length < fatCount; index++) sectors.push(view.getUint32(start + index * 4, true));
    difat = view.getUint32(start + sectorSize - 4, true);
  }
  return sectors.every((sector) => sector <= MAX_REGULAR_SECTOR) ? sectors : null;
}
