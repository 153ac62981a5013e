/**
 * Who maintains the shared chunk table's indexes. When several beleg processes share one LanceDB
 * location (`BELEG_LANCEDB_URI`), each appends and deletes chunks, but only one at a time may build
 * or optimize the indexes (full text, B-tree on `document_id`, vectors) and compact and prune
 * files: two processes optimizing at once would rewrite the same files and index deltas, and
 * every process doing it would multiply the work. The process holding this lease does it; the
 * others only read and write rows, and take the lease over when its holder goes away.
 *
 * Implementations: `./maintenance-lease/directory-lease.ts` (a lock held by the kernel on a file in
 * a local directory, for processes on one host); a PostgreSQL advisory lock fits the same contract
 * for processes on several hosts (`pg_try_advisory_lock` / `pg_advisory_unlock` on one session).
 */
export interface IndexMaintenanceLease {
  /**
   * Takes the lease when nobody holds it; never waits. True while this process holds it (also
   * when it already did), false while another process does.
   */
  tryAcquire(): Promise<boolean>;
  /** Gives the lease up (a holder that dies loses it too); another process may take it then. */
  release(): Promise<void>;
}
