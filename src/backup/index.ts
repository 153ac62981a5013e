/** Backup and restore of a data directory (`beleg backup`, `beleg restore`). */
export { createBackup, type BackupResult, type BackupStep, type CreateBackupOptions } from './create-backup.ts';
export { restoreBackup, type RestoreBackupOptions, type RestoreResult } from './restore-backup.ts';
export { BACKUP_MANIFEST_FILE, backupManifestSchema, type BackupManifest } from './backup-manifest.ts';
export {
  BackupCorruptError,
  BackupExistsError,
  BackupFailedError,
  BackupIncompatibleError,
  BackupInvalidError,
  BackupNotFoundError,
  BackupPostgresMetadataError,
  BackupSourceMissingError,
  RestoreTargetNotEmptyError,
} from './backup-errors.ts';
