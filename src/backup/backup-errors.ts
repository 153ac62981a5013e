/**
 * The failures of `beleg backup` and `beleg restore` a user can act on, each with a stable code;
 * their texts are in the message catalogue (src/messages/catalogue.ts). `reason` values name the
 * technical detail (an archive entry, a count) and stay as written.
 */
import { BelegError } from '../errors.ts';
import { userMessage } from '../messages/index.ts';

/** The backup file already exists; beleg never overwrites one. */
export class BackupExistsError extends BelegError {
  constructor(file: string) {
    super(userMessage('backup_exists', { file }), { details: { file } });
  }
}

/** The metadata is in PostgreSQL (BELEG_DATABASE_URL): backups of it are PostgreSQL's own. */
export class BackupPostgresMetadataError extends BelegError {
  constructor() {
    super(userMessage('backup_postgres_metadata'));
  }
}

/** The directory to back up is not a beleg data directory. */
export class BackupSourceMissingError extends BelegError {
  constructor(dataDir: string) {
    super(userMessage('backup_source_missing', { dataDir }), { details: { dataDir } });
  }
}

/** The backup file to restore does not exist or is not a file. */
export class BackupNotFoundError extends BelegError {
  constructor(file: string) {
    super(userMessage('backup_not_found', { file }), { details: { file } });
  }
}

/** The file is not a beleg backup at all (not a tar file, or a tar file of something else). */
export class BackupInvalidError extends BelegError {
  constructor(file: string, reason: string) {
    super(userMessage('backup_invalid', { file, reason }), { details: { file, reason } });
  }
}

/** The file is a beleg backup, but damaged (truncated, changed bytes, missing files). */
export class BackupCorruptError extends BelegError {
  constructor(file: string, reason: string) {
    super(userMessage('backup_corrupt', { file, reason }), { details: { file, reason } });
  }
}

/** The backup was written by a newer beleg (newer archive format or database schema). */
export class BackupIncompatibleError extends BelegError {
  constructor(file: string, reason: string) {
    super(userMessage('backup_incompatible', { file, reason }), { details: { file, reason } });
  }
}

/**
 * The restore target exists and is not an empty directory: a directory holding `entries` (the
 * first few, as shown), or a file (`entries` null).
 */
export class RestoreTargetNotEmptyError extends BelegError {
  constructor(dataDir: string, entries: string | null) {
    super(entries === null ? userMessage('restore_target_not_empty.file', { dataDir }) : userMessage('restore_target_not_empty', { dataDir, entries }), {
      details: { dataDir },
    });
  }
}

/** Reading the data directory or writing the archive failed (permissions, disk full, a damaged database). */
export class BackupFailedError extends BelegError {
  constructor(dataDir: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(userMessage('backup_failed', { dataDir, reason }), { cause, details: { dataDir, reason } });
  }
}
