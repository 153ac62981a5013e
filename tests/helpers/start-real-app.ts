/**
 * The real app over HTTP: real SQLite + LanceDB in a temporary data directory (or PostgreSQL
 * metadata, see ./test-metadata.ts), the configured engines (extractive by default) and the real
 * answer service, on an ephemeral port.
 */
import { openAppContext, type AppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import { createAnswerService } from '../../src/create-answerer.ts';
import { createEngines } from '../../src/engine/create-engine.ts';
import { serveApp } from './start-app.ts';
import { metadataEnvironment } from './test-metadata.ts';
import { temporaryDirectory } from './storage-temp-dir.ts';

export type RealApp = { context: AppContext; url: string; close(): Promise<void> };

export async function startRealApp(dataDirPrefix: string, environment: Record<string, string> = {}): Promise<RealApp> {
  const config = loadConfig({ BELEG_DATA_DIR: temporaryDirectory(dataDirPrefix), ...(await metadataEnvironment()), ...environment });
  const context = await openAppContext(config);
  const { engines, defaultEngine } = await createEngines(config, { tokenizer: context.tokenizer });
  const server = await serveApp(config, context.ingestion, createAnswerService(context, engines, defaultEngine, { minConfidence: config.minConfidence }), undefined, context.access);
  return {
    context,
    url: server.url,
    async close() {
      await server.close();
      for (const engine of Object.values(engines)) await engine.dispose();
      await context.close();
    },
  };
}
