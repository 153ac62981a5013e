/**
 * The manifest of a backup, `beleg-backup.json`, the archive's first entry: which beleg wrote it,
 * the database's schema level, what it holds (documents, chunks, uploads, the embedding model the
 * chunks' vectors come from) and every other file with its size and sha256, which restore checks.
 */
import { z } from 'zod';

/** The manifest's name inside the archive (always its first entry). */
export const BACKUP_MANIFEST_FILE = 'beleg-backup.json';
export const BACKUP_FORMAT = 'beleg-backup';
/** Bump when the archive's layout changes; restore refuses formats newer than it knows. */
export const BACKUP_FORMAT_VERSION = 1;

const count = z.number().int().nonnegative();

/** The fields every format version has, read first to tell a foreign or newer file apart. */
export const backupHeaderSchema = z.object({ format: z.literal(BACKUP_FORMAT), formatVersion: z.number().int().positive() });

export const backupManifestSchema = backupHeaderSchema.extend({
  /** The beleg version that wrote the backup. */
  belegVersion: z.string(),
  /** When the database snapshot was taken (ISO 8601). */
  createdAt: z.string(),
  /** The data directory that was backed up (for information). */
  dataDirectory: z.string(),
  /** drizzle-kit migrations applied to the database in the backup. */
  schema: z.object({ migrations: count, latestMigration: z.string().nullable(), latestMigrationAt: z.number().nullable() }),
  /** The copied chunk table; null when the data directory had none (restore rebuilds it from the texts). */
  index: z
    .object({
      /** The LanceDB table version copied. */
      tableVersion: count,
      /** The search-text expansion the chunks were built with; null when not recorded. */
      searchText: z.string().nullable(),
      /** The embedding model whose vectors the chunks carry; null: none (lexical-only). */
      embeddingModelId: z.string().nullable(),
    })
    .nullable(),
  counts: z.object({
    documents: z.object({ pending: count, indexing: count, ready: count, failed: count }),
    /** Chunks the ready documents have (from the database). */
    readyChunks: count,
    /** Chunks in the copied table (may include chunks of documents not ready in the snapshot; restore drops them). */
    chunks: count,
    /** Saved inputs of documents still being ingested, included. */
    uploads: count,
    /** Saved inputs that were gone before they could be copied; those documents end `failed` after restore. */
    missingUploads: count,
  }),
  /** Every file in the archive but the manifest, as relative POSIX paths. */
  files: z.array(z.object({ path: z.string().min(1), bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});

export type BackupManifest = z.infer<typeof backupManifestSchema>;
