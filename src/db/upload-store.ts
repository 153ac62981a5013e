/**
 * Where saved upload bytes live while a job needs them, so an interrupted ingestion can run again:
 * files in the data directory (./upload-files.ts, one process) or PostgreSQL
 * (./postgres/postgres-upload-store.ts, every process of a deployment reads what any replica saved).
 */
export interface UploadStore {
  /** Saves `bytes` under their sha256 unless already saved; complete or absent, never half written. */
  save(sha256: string, bytes: Uint8Array): Promise<void>;
  /** The saved bytes, or undefined when they are gone. */
  read(sha256: string): Promise<Uint8Array | undefined>;
  has(sha256: string): Promise<boolean>;
  remove(sha256: string): Promise<void>;
  /** The sha256 names of every saved upload. */
  list(): Promise<string[]>;
  /** Deletes saved uploads not in `keep` (and leftovers of interrupted writes); returns how many went. */
  removeAllExcept(keep: ReadonlySet<string>): Promise<number>;
}
