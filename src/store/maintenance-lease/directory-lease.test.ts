import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryMaintenanceLease } from './directory-lease.ts';

const root = mkdtempSync(path.join(tmpdir(), 'beleg-maintenance-lease-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('DirectoryMaintenanceLease', () => {
  it('is held by one lease at a time and passes to the next once released', async () => {
    const directory = path.join(root, 'store');
    const first = new DirectoryMaintenanceLease(directory);
    const second = new DirectoryMaintenanceLease(directory);
    expect(await first.tryAcquire()).toBe(true);
    expect(await first.tryAcquire()).toBe(true);
    expect(await second.tryAcquire()).toBe(false);
    await first.release();
    expect(await second.tryAcquire()).toBe(true);
    expect(await first.tryAcquire()).toBe(false);
    await second.release();
    await second.release();
  });
});
