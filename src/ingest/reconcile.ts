/**
 * Start-up reconciliation of SQLite (the source of truth) and LanceDB after a crash or kill.
 * Runs before the ingestion queue starts, while no job is running:
 *   - chunks of every document that is not `ready` (deleted, retired, failed, or interrupted
 *     mid-write) are removed, so nothing is duplicated or half visible;
 *   - a `ready` document whose chunks are missing or miscounted (LanceDB directory lost or
 *     damaged) is listed for rebuilding from its stored text — SQLite holds everything needed;
 *   - a `ready` document whose chunks carry other collections than SQLite's memberships (a crash
 *     between the two writes, a table from before the collections column) gets SQLite's;
 *   - documents left `pending`/`indexing` are queued again from their saved input, or marked
 *     `failed` (`ingestion_interrupted`) when that input is gone;
 *   - saved uploads no job needs, and temporary files of interrupted writes, are deleted.
 *
 * Shared store (`sharedStore`, set when `BELEG_LANCEDB_URI` names a LanceDB location other
 * processes use too): chunks of documents that are not `ready` are NOT removed — another process
 * may be writing them right now (its document is `pending`/`indexing`, or not even known to this
 * metadata database yet), and deleting them would leave that document ready without chunks. They
 * are listed in `keptChunkDocuments` instead. Nothing is served from them: search only returns
 * chunks of ready documents, and a retried document deletes its earlier chunks before writing.
 * Chunks left by a document that failed or was removed while its process died stay until the
 * work queue with leases (which knows who is indexing what) tidies them. Ready documents with
 * missing chunks are rebuilt as in the single-process case, and interrupted documents are still
 * resumed: the data directory lock keeps this metadata database to this one process.
 */
import type { DocumentRepository, UploadFiles } from '../db/index.ts';
import { userMessage } from '../messages/index.ts';
import type { ChunkStore } from '../store/chunk-store.ts';

/** A chunk store that can count chunks per document (the LanceDB store can). */
export type ReconcilableStore = ChunkStore & {
  chunkCountsByDocument(): Promise<Map<string, number>>;
  /** The collections on each document's chunks, sorted. */
  collectionsByDocument(): Promise<Map<string, string[]>>;
};

/** What reconciliation did. */
export type ReconcileReport = {
  /** Documents whose chunks were removed from the chunk store. */
  removedChunkDocuments: string[];
  /** Shared store: documents that are not ready whose chunks were left in place (see the file comment). */
  keptChunkDocuments: string[];
  /**
   * Ready documents whose chunks did not match their chunk count; their chunks were removed, to
   * be rebuilt from the stored text (hand them to `IngestionService.rebuild`).
   */
  rebuild: string[];
  /** Documents to index again (hand them to `IngestionService.resume`). */
  resumed: string[];
  /** Documents marked failed because their input is gone. */
  failed: string[];
  /** Upload files deleted. */
  removedUploads: number;
  /** Ready documents whose chunks got SQLite's collections. */
  relabelled: string[];
};

const DELETE_BATCH = 500;

/** What {@link reconcile} works on. */
export type ReconcileDependencies = {
  repository: DocumentRepository;
  store: ReconcilableStore;
  uploads: UploadFiles;
  /** Other processes share the chunk store: leave chunks of unfinished documents alone (see the file comment). */
  sharedStore?: boolean;
};

/** Brings the chunk store and uploads in line with SQLite. */
export async function reconcile(dependencies: ReconcileDependencies): Promise<ReconcileReport> {
  const { repository, store, uploads, sharedStore = false } = dependencies;
  const ready = await repository.readyChunkCounts();
  const stored = await store.chunkCountsByDocument();
  const stale = [...stored.keys()].filter((id) => !ready.has(id));
  // Ready documents whose chunks are missing or incomplete (a lost or damaged LanceDB directory).
  const damaged = [...ready].filter(([id, chunkCount]) => (stored.get(id) ?? 0) !== chunkCount).map(([id]) => id);
  const removals = [...(sharedStore ? [] : stale), ...damaged.filter((id) => stored.has(id))];
  for (let start = 0; start < removals.length; start += DELETE_BATCH) {
    await store.deleteDocuments(removals.slice(start, start + DELETE_BATCH));
  }

  const intact = [...ready.keys()].filter((id) => stored.get(id) === ready.get(id));
  const labels = intact.length > 0 ? await store.collectionsByDocument() : new Map<string, string[]>();
  const memberships = await repository.collections.collectionsOfMany(intact);
  const relabelled = intact.filter((id) => (labels.get(id) ?? []).join('\n') !== (memberships.get(id) ?? []).join('\n'));
  if (relabelled.length > 0) await store.setCollections(new Map(relabelled.map((id) => [id, memberships.get(id) ?? []])));

  const resumed: string[] = [];
  const failed: string[] = [];
  for (const { document, job } of await repository.interrupted()) {
    const inputKept =
      job !== null &&
      (job.inputKind === 'url' ? job.url !== null : job.inputKind === 'text' ? job.text !== null : job.uploadSha256 !== null && uploads.has(job.uploadSha256));
    if (inputKept) {
      resumed.push(document.id);
    } else {
      await repository.markFailed(document.id, userMessage('ingestion_interrupted'));
      failed.push(document.id);
    }
  }
  const removedUploads = uploads.removeAllExcept(await repository.uploadsInUse());
  return {
    removedChunkDocuments: sharedStore ? [] : stale,
    keptChunkDocuments: sharedStore ? stale : [],
    rebuild: damaged,
    resumed,
    failed,
    removedUploads,
    relabelled,
  };
}
