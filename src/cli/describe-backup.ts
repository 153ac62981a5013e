/** The summary of a backup that `beleg backup` and `beleg restore` print. */
import type { BackupManifest } from '../backup/index.ts';

/** A few indented lines: documents, schema, chunk table and embedding model. */
export function describeManifest(manifest: BackupManifest): string {
  const { documents } = manifest.counts;
  const inProgress = documents.pending + documents.indexing;
  const lines = [
    `${documents.ready} ready documents (${manifest.counts.readyChunks} chunks)` +
      (inProgress > 0 ? `, ${inProgress} being indexed` : '') +
      (documents.failed > 0 ? `, ${documents.failed} failed` : ''),
    `database schema ${manifest.schema.latestMigration ?? 'unknown'}, written by beleg ${manifest.belegVersion} at ${manifest.createdAt}`,
    manifest.index
      ? `chunk table version ${manifest.index.tableVersion}; vectors: ${manifest.index.embeddingModelId ?? 'none (lexical-only)'}`
      : 'no chunk table (rebuilt from the stored texts at the first start)',
  ];
  return lines.map((line) => `  ${line}`).join('\n');
}
