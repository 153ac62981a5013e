import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compoundFileRootNames, isOutlookMessage } from './compound-file.ts';

const msg = new Uint8Array(readFileSync(new URL('../../../tests/fixtures/mail-epub/mapi-sample-attachments.msg', import.meta.url)));

describe('compoundFileRootNames', () => {
  it('lists the top-level streams and storages of a real Outlook file', () => {
    const names = compoundFileRootNames(msg)!;
    expect(names).toContain('__properties_version1.0');
    expect(names).toContain('__attach_version1.0_#00000000');
    expect(names).toContain('__recip_version1.0_#00000000');
    // Streams inside the attachment storages are not top-level.
    expect(names.filter((name) => name.startsWith('__attach_version1.0_'))).toHaveLength(3);
    expect(isOutlookMessage(msg)).toBe(true);
  });

  it('answers null for other bytes, a header alone and a directory chain pointing past the end', () => {
    expect(compoundFileRootNames(new TextEncoder().encode('kein OLE'.repeat(100)))).toBeNull();
    expect(compoundFileRootNames(msg.slice(0, 512))).toBeNull();
    const looping = msg.slice();
    new DataView(looping.buffer).setUint32(0x30, 0x7fffffff, true);
    expect(compoundFileRootNames(looping)).toBeNull();
    expect(isOutlookMessage(looping)).toBe(false);
  });
});
