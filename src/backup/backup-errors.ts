/** The failures of `beleg backup` and `beleg restore` a user can act on, each with a stable code. */
import { BelegError } from '../errors.ts';

/** The backup file already exists; beleg never overwrites one. */
export class BackupExistsError extends BelegError {
  constructor(file: string) {
    super('backup_exists', `The file '${file}' already exists. Choose another name, or delete it first: beleg never overwrites a backup.`, {
      details: { file },
    });
  }
}

/** The directory to back up is not a beleg data directory. */
export class BackupSourceMissingError extends BelegError {
  constructor(dataDir: string) {
    super(
      'backup_source_missing',
      `'${dataDir}' is not a beleg data directory (it has no beleg.sqlite). Name the directory 'beleg serve' uses, with --data-dir or BELEG_DATA_DIR.`,
      { details: { dataDir } },
    );
  }
}

/** The backup file to restore does not exist or is not a file. */
export class BackupNotFoundError extends BelegError {
  constructor(file: string) {
    super('backup_not_found', `The backup file '${file}' does not exist or is not a file. Name a file written by 'beleg backup'.`, { details: { file } });
  }
}

/** The file is not a beleg backup at all (not a tar file, or a tar file of something else). */
export class BackupInvalidError extends BelegError {
  constructor(file: string, reason: string) {
    super('backup_invalid', `'${file}' is not a beleg backup: ${reason}. Restore a file written by 'beleg backup'; nothing was restored.`, {
      details: { file, reason },
    });
  }
}

/** The file is a beleg backup, but damaged (truncated, changed bytes, missing files). */
export class BackupCorruptError extends BelegError {
  constructor(file: string, reason: string) {
    super('backup_corrupt', `The backup '${file}' is damaged: ${reason}. Nothing was restored; use another copy of the backup.`, {
      details: { file, reason },
    });
  }
}

/** The backup was written by a newer beleg (newer archive format or database schema). */
export class BackupIncompatibleError extends BelegError {
  constructor(file: string, reason: string) {
    super('backup_incompatible', `The backup '${file}' is newer than this beleg: ${reason}. Update beleg, then restore; nothing was restored.`, {
      details: { file, reason },
    });
  }
}

/** The restore target exists and is not an empty directory. */
export class RestoreTargetNotEmptyError extends BelegError {
  constructor(dataDir: string, found: string) {
    super(
      'restore_target_not_empty',
      `'${dataDir}' ${found}. Restore into a new or empty directory (e.g. --data-dir ${dataDir}-restored); nothing was changed.`,
      { details: { dataDir } },
    );
  }
}

/** Reading the data directory or writing the archive failed (permissions, disk full, a damaged database). */
export class BackupFailedError extends BelegError {
  constructor(dataDir: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('backup_failed', `The backup of '${dataDir}' failed: ${reason}. No backup file was written; fix the cause and run it again.`, {
      cause,
      details: { dataDir, reason },
    });
  }
}
