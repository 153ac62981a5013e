/**
 * A password-protected Office Open XML file (XLSX, DOCX, PPTX saved with "Encrypt with
 * password") is no ZIP but an OLE compound file holding the encrypted package as a stream named
 * `EncryptedPackage` (MS-OFFCRYPTO). Its directory stores that name in UTF-16LE, so finding it in
 * an OLE file tells an encrypted document from an old binary .doc/.xls without parsing the
 * container.
 */

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ENCRYPTED_PACKAGE = new Uint8Array([...'EncryptedPackage'].flatMap((character) => [character.charCodeAt(0), 0]));

/** Whether `bytes` are an OLE compound file with an `EncryptedPackage` stream. */
export function isEncryptedOfficePackage(bytes: Uint8Array): boolean {
  if (!OLE_MAGIC.every((value, index) => bytes[index] === value)) return false;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(ENCRYPTED_PACKAGE) >= 0;
}
