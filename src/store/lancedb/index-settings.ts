/**
 * What the chunks table's derived columns were built with: the search-text expansion that filled
 * `search_text` and the embedding model that wrote `vector`. Kept in `beleg-index.json` beside the
 * table, so opening the table with other settings is noticed and the chunks are rebuilt from the
 * stored texts instead of mixing two models' vectors (or indexed text with and without compound
 * parts) in one table.
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
});
export type IndexSettings = z.infer<typeof indexSettingsSchema>;

/**
 * The settings of a table built before this file existed: its `search_text` (when present) held
 * the plain text and no embedding model wrote vectors.
 */
export const LEGACY_INDEX_SETTINGS: IndexSettings = { searchText: 'plain', embeddingModelId: null };

/** Reads the settings in `directory`; null when there is no settings file. */
export function readIndexSettings(directory: string): IndexSettings | null {
  const file = path.join(directory, SETTINGS_FILE);
  if (!existsSync(file)) return null;
  const parsed = indexSettingsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  // An unreadable file is treated like a legacy table: the chunks are rebuilt, nothing is lost.
  return parsed.success ? parsed.data : null;
}

/** Writes the settings atomically (temporary file, then rename). */
export function writeIndexSettings(directory: string, settings: IndexSettings): void {
  const file = path.join(directory, SETTINGS_FILE);
  const temporary = `${file}.tmp`;
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
  if (wanted.embeddingModelId !== null && current.embeddingModelId !== wanted.embeddingModelId) {
    reasons.push(
      current.embeddingModelId === null
        ? `the chunks have no vectors of the embedding model '${wanted.embeddingModelId}'`
        : `the vectors are from the embedding model '${current.embeddingModelId}', not the configured '${wanted.embeddingModelId}'`,
    );
  }
  return reasons.length === 0 ? null : reasons.join('; ');
}
