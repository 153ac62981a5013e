/**
 * What the chunks table's derived columns were built with: the search-text expansion that filled
 * `search_text`, the embedding model that wrote `vector` and the chunking that cut the stored
 * texts into chunks and sentences (with their block flags). Kept in `beleg-index.json` beside the
 * table, so opening the table with other settings is noticed and the chunks are rebuilt from the
 * stored texts instead of mixing two models' vectors (or indexed text with and without compound
 * parts, or sentences that cross paragraphs with ones that do not) in one table.
 *
 * The file is written only after a rebuild finished: a crash mid-rebuild leaves the old settings,
 * and the next start rebuilds again.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const SETTINGS_FILE = 'beleg-index.json';

export const indexSettingsSchema = z.object({
  /** Name of the expansion that filled `search_text` (`plain`: the chunk text alone). */
  searchText: z.string().min(1),
  /** The embedding model of the vectors written since; null when chunks got no vectors. */
  embeddingModelId: z.string().nullable(),
  /** Names the chunking and sentence splitting; files from before it was recorded: `LEGACY_CHUNKING`. */
  chunking: z.string().min(1).default(() => LEGACY_CHUNKING),
});
export type IndexSettings = z.infer<typeof indexSettingsSchema>;

/** The chunking of tables from before it was recorded: sentences without block flags. */
export const LEGACY_CHUNKING = 'sentences-v0';

/**
 * The settings of a table built before this file existed: its `search_text` (when present) held
 * the plain text, no embedding model wrote vectors, and its sentences had no block flags.
 */
export const LEGACY_INDEX_SETTINGS: IndexSettings = { searchText: 'plain', embeddingModelId: null, chunking: LEGACY_CHUNKING };

/** Reads the settings in `directory`; null when there is no settings file. */
export function readIndexSettings(directory: string): IndexSettings | null {
  const file = path.join(directory, SETTINGS_FILE);
  if (!existsSync(file)) return null;
  const parsed = indexSettingsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  // An unreadable file is treated like a legacy table: the chunks are rebuilt, nothing is lost.
  return parsed.success ? parsed.data : null;
}

/**
 * Writes the settings atomically (temporary file, then rename). The temporary name is the
 * process's own: processes sharing a store may write the same settings at the same moment.
 */
export function writeIndexSettings(directory: string, settings: IndexSettings): void {
  const file = path.join(directory, SETTINGS_FILE);
  const temporary = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(settings, null, 2)}\n`);
  renameSync(temporary, file);
}

/**
 * Why chunks built with `current` must be rebuilt for `wanted`, or null when they can stay.
 * Dropping the embedding model needs no rebuild (vectors are simply unused), but chunks added
 * meanwhile get none, so the settings then record `embeddingModelId: null` and a model configured
 * again later re-embeds everything.
 */
export function reindexReason(current: IndexSettings, wanted: IndexSettings): string | null {
  const reasons: string[] = [];
  if (current.searchText !== wanted.searchText) {
    reasons.push(`the full-text search column was built with '${current.searchText}' and is now built with '${wanted.searchText}'`);
  }
  if (current.chunking !== wanted.chunking) {
    reasons.push(`the chunks were cut with '${current.chunking}' and are now cut with '${wanted.chunking}'`);
  }
  if (wanted.embeddingModelId !== null && current.embeddingModelId !== wanted.embeddingModelId) {
    reasons.push(
      current.embeddingModelId === null
        ? `the chunks have no vectors of the embedding model '${wanted.embeddingModelId}'`
        : `the vectors are from the embedding model '${current.embeddingModelId}', not the configured '${wanted.embeddingModelId}'`,
    );
  }
  return reasons.length === 0 ? null : reasons.join('; ');
}
