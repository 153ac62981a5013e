import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { detectZipContainer, listZipEntries, readZipEntries } from './zip-archive.ts';

describe('zip containers', () => {
  it('names the office format by its parts and ODF/EPUB by the mimetype entry', () => {
    expect(detectZipContainer(zipSync({ 'word/document.xml': strToU8('<w:document/>'), '[Content_Types].xml': strToU8('<x/>') }))).toBe('docx');
    expect(detectZipContainer(zipSync({ mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0 }], 'content.xml': strToU8('<x/>') }))).toBe('odt');
    expect(detectZipContainer(zipSync({ mimetype: [strToU8('application/epub+zip'), { level: 0 }] }))).toBe('epub');
    expect(detectZipContainer(zipSync({ 'readme.txt': strToU8('hallo') }))).toBeNull();
    expect(listZipEntries(strToU8('PK\u0003\u0004 kaputt'))).toBeNull();
  });

  it('refuses a zip bomb by its declared size before inflating it', () => {
    const bomb = zipSync({ 'word/document.xml': new Uint8Array(4 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(() => readZipEntries(bomb, () => true, 1024 * 1024)).toThrow(expect.objectContaining({ code: 'archive_too_large' }));
    expect(readZipEntries(bomb, () => true).get('word/document.xml')?.length).toBe(4 * 1024 * 1024);
  });
});
