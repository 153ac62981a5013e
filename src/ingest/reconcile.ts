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
 *
 * Work queue (`workQueue`, PostgreSQL shared by several processes): the queue knows what is on its
 * way — a document with a job is being indexed by some worker or waits for one — so chunks of
 * documents that are neither ready nor have a job (failed or removed while their worker died) are
 * removed, and nothing is resumed here: jobs whose worker died are taken again when their lease
 * runs out (src/db/postgres/postgres-job-queue.ts), not by whichever process starts next.
 */
import type { DocumentRepository, UploadStore } from '../db/index.ts';
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
  uploads: UploadStore;
  /** Other processes share the chunk store: leave chunks of unfinished documents alone (see the file comment). */
  sharedStore?: boolean;
  /** Jobs are in a work queue shared by several processes (see the file comment). */
  workQueue?: boolean;
};

/** Brings the chunk store and uploads in line with SQLite. */
export async function reconcile(dependencies: ReconcileDependencies): Promise<ReconcileReport> {
  const { repository, store, uploads, sharedStore = false, workQueue = false } = dependencies;
  const ready = await repository.readyChunkCounts();
  const stored = await store.chunkCountsByDocument();
  let stale = [...stored.keys()].filter((id) => !ready.has(id));
  let kept: string[] = [];
  if (workQueue) {
    // Read in this order: a document whose chunks were listed either still has its job, or has
    // turned ready since (then the second read of ready documents has it), or failed or went.
    const onTheirWay = new Set((await repository.interrupted()).filter((entry) => entry.job !== null).map((entry) => entry.document.id));
    const readyNow = await repository.readyChunkCounts();
    kept = stale.filter((id) => onTheirWay.has(id) || readyNow.has(id));
    stale = stale.filter((id) => !kept.includes(id));
  }
  // Ready documents whose chunks are missing or incomplete (a lost or damaged LanceDB directory).
  const damaged = [...ready].filter(([id, chunkCount]) => (stored.get(id) ?? 0) !== chunkCount).map(([id]) => id);
  const removals = [...(sharedStore && !workQueue ? [] : stale), ...damaged.filter((id) => stored.has(id))];
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
  for (const { document, job } of workQueue ? [] : await repository.interrupted()) {
    const inputKept =
      job !== null &&
      (job.inputKind === 'url' ? job.url !== null : job.inputKind === 'text' ? job.text !== null : job.uploadSha256 !== null && (await uploads.has(job.uploadSha256)));
    if (inputKept) {
      resumed.push(document.id);
    } else {
      await repository.markFailed(document.id, userMessage('ingestion_interrupted'));
      failed.push(document.id);
    }
  }
  const removedUploads = await uploads.removeAllExcept(await repository.uploadsInUse());
  return {
    removedChunkDocuments: sharedStore && !workQueue ? [] : stale,
    keptChunkDocuments: workQueue ? kept : sharedStore ? stale : [],
    rebuild: damaged,
    resumed,
    failed,
    removedUploads,
    relabelled,
  };
}
