/**
 * BELEG_PARSE_TIMEOUT_MS reaches the isolated parser through the real app context: with a 2 s
 * deadline, a PDF that takes the parser many seconds (a 1 GiB compression bomb; with the default
 * 30 s deadline it runs into the 1 GiB memory cap instead, `parse_out_of_memory`) fails with
 * `parse_timeout`. The deadline includes starting a parser process (~0.5 s), so it is not set
 * lower here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compressionBombPdf } from './helpers/hostile-documents.ts';
import { openTestContext, testConfig } from './helpers/storage-app.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

describe('BELEG_PARSE_TIMEOUT_MS', () => {
  it('ends a slow parse after the configured deadline with parse_timeout', async () => {
    const config = testConfig(temporaryDirectory(), { BELEG_PARSE_TIMEOUT_MS: '2000' });
    expect(config.limits.parseTimeoutMs).toBe(2000);
    const context = await openTestContext(config);
    try {
      const started = performance.now();
      const bomb = await context.ingestion.ingest({ kind: 'file', fileName: 'bombe.pdf', bytes: compressionBombPdf(1024 ** 3) });
      const seconds = (performance.now() - started) / 1000;
      expect(bomb).toMatchObject({ status: 'failed', errorCode: 'parse_timeout' });
      expect(seconds).toBeLessThan(15);
    } finally {
      await context.close();
    }
  });
});
