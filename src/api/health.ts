/**
 * What `GET /health` reports, gathered from the injected services: the storage, the engines the
 * answerer has, the embedding model, and whether retrieval runs lexical-only for lack of one.
 */
import type { Answerer } from '../answer/answer-contract.ts';
import type { AppContext } from '../app-context.ts';
import type { Config } from '../config.ts';
import type { Ingestion } from '../ingest/types.ts';
import type { Health } from './schemas.ts';

/** Checks the composition root can supply; `createApp` falls back to what the services show. */
export type HealthProbe = {
  /** Whether metadata and chunk storage answer. */
  storage(): Promise<{ ok: boolean; detail: string }>;
  /**
   * The embedding model in use; `name: null` when none is configured (lexical-only), with the
   * reason retrieval is lexical-only when known.
   */
  embeddingModel(): { name: string | null; ready: boolean; reason?: string };
};

/**
 * A probe built from the services alone: storage answers if listing documents works; the
 * embedding model counts as not loaded.
 */
export function defaultHealthProbe(config: Config, ingestion: Ingestion): HealthProbe {
  return {
    async storage() {
      try {
        const { total } = await ingestion.list({ limit: 1 });
        return { ok: true, detail: `${total} documents` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
    // Only the composition root knows whether it loaded the configured model; without its word
    // the report says lexical-only rather than promise vector search.
    embeddingModel() {
      return { name: config.embeddingModelDir ?? null, ready: false };
    },
  };
}

/**
 * The probe of an opened app context (what `beleg serve` uses): storage answers if listing
 * documents works; the embedding model and the lexical-only reason come from the context's
 * retrieval status.
 */
export function appContextHealthProbe(context: Pick<AppContext, 'config' | 'ingestion' | 'retrieval'>): HealthProbe {
  return {
    async storage() {
      try {
        const { total } = await context.ingestion.list({ limit: 1 });
        return { ok: true, detail: `${total} documents in ${context.config.dataDir}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    },
    embeddingModel() {
      const { retrieval } = context;
      return retrieval.mode === 'hybrid'
        ? { name: retrieval.embeddingModelId, ready: true }
        : { name: null, ready: false, reason: retrieval.reason ?? 'no embedding model is loaded' };
    },
  };
}

/** The health report, plus why retrieval is lexical-only when the probe knows (`beleg serve`'s does). */
export type HealthReport = Health & { lexicalOnlyReason?: string };

/**
 * Gathers the health report. `status` is `ok` when storage works and at least one engine is ready
 * (a worker answers nothing: storage is enough).
 */
export async function checkHealth(probe: HealthProbe, answerer: Answerer, ingestion: Ingestion, role: Health['role'] = 'all'): Promise<HealthReport> {
  const storage = await probe.storage();
  const engines = answerer.engines();
  const { reason, ...embeddingModel } = probe.embeddingModel();
  const queue = ingestion.queueStatus ? await ingestion.queueStatus().catch(() => undefined) : undefined;
  const healthy = storage.ok && (role === 'worker' || engines.some((engine) => engine.ready));
  return {
    status: healthy ? 'ok' : 'degraded',
    storage,
    engines,
    embeddingModel,
    lexicalOnly: !embeddingModel.ready,
    ...(!embeddingModel.ready && reason !== undefined ? { lexicalOnlyReason: reason } : {}),
    ingestionQueueDepth: ingestion.queueDepth(),
    role,
    ...(queue ? { queue } : {}),
  };
}
