import { describe, expect, it } from 'vitest';
import { safeFileName } from './safe-file-name.ts';

describe('safeFileName', () => {
  it('keeps ordinary German file names as they are', () => {
    expect(safeFileName('Prüfungsordnung 2024.pdf')).toBe('Prüfungsordnung 2024.pdf');
  });

  it('drops directories, traversal and control characters', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Users\\x\\bericht.pdf')).toBe('bericht.pdf');
    expect(safeFileName('a\u0000b\nc.txt')).toBe('abc.txt');
    expect(safeFileName('..')).toBe('upload');
    expect(safeFileName('')).toBe('upload');
  });

  it('bounds the length and keeps the extension', () => {
    const name = `${'x'.repeat(400)}.pdf`;
    expect(safeFileName(name)).toHaveLength(255);
    expect(safeFileName(name).endsWith('.pdf')).toBe(true);
  });
});
