/** Opens beleg's app context on a temporary data directory, for storage and ingestion tests. */
import { loadConfig, type Config } from '../../src/config.ts';
import { openAppContext, type AppContext, type AppContextOptions } from '../../src/app-context.ts';
import { loadDocument, type LoadOptions } from '../../src/ingest/load-document.ts';
import type { DocumentInput, LoadedDocument } from '../../src/ingest/types.ts';
import { temporaryDirectory } from './storage-temp-dir.ts';

/** A config on a fresh temporary data directory (or `dataDir`), with optional environment overrides. */
export function testConfig(dataDir = temporaryDirectory(), environment: Record<string, string> = {}): Config {
  return loadConfig({ BELEG_DATA_DIR: dataDir, ...environment });
}

export async function openTestContext(config = testConfig(), options: AppContextOptions = {}): Promise<AppContext> {
  return openAppContext(config, options);
}

/**
 * A loader that serves URLs from an in-memory "web" (tests change a page's HTML between
 * ingestions) and loads everything else with the real loader.
 */
export function webLoader(pages: Map<string, string>) {
  return async (input: DocumentInput, options: LoadOptions): Promise<LoadedDocument> => {
    if (input.kind !== 'url') return loadDocument(input, options);
    const text = pages.get(input.url);
    if (text === undefined) throw new Error(`no page at ${input.url}`);
    const document = await loadDocument({ kind: 'text', text }, options);
    return { ...document, finalUrl: input.url };
  };
}
