/**
 * Child process for tests/crash-consistency.test.ts: opens beleg on a data directory (which
 * reconciles and resumes whatever a previous, killed worker left), then ingests a stream of
 * documents and deletes some, printing `ACK <index> <id>` once a document is ready and
 * `DEL <index> <id>` once a removal returned. The parent kills it with SIGKILL at random moments;
 * some modes kill it from inside at a chosen point instead:
 *   after-add      right after the 3rd LanceDB write of chunks (before SQLite says ready)
 *   before-delete  when a removal has deleted the SQLite row but not yet the chunks
 *
 * Usage: tsx storage-crash-worker.ts <dataDir> <firstIndex> <count> <mode>
 */
import { openAppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import { LanceChunkStore } from '../../src/store/index.ts';
import { crashDocumentText } from './storage-crash-documents.ts';

const [dataDir, firstArgument, countArgument, mode = 'random'] = process.argv.slice(2);
const first = Number(firstArgument);
const count = Number(countArgument);

let killOnDelete = false;
if (mode === 'after-add') {
  const add = LanceChunkStore.prototype.add;
  let adds = 0;
  LanceChunkStore.prototype.add = async function (this: LanceChunkStore, rows) {
    await add.call(this, rows);
    adds += 1;
    if (adds === 3) process.kill(process.pid, 'SIGKILL');
  };
}
if (mode === 'before-delete') {
  const deleteDocuments = LanceChunkStore.prototype.deleteDocuments;
  LanceChunkStore.prototype.deleteDocuments = async function (this: LanceChunkStore, ids) {
    if (killOnDelete) process.kill(process.pid, 'SIGKILL');
    return deleteDocuments.call(this, ids);
  };
}

const context = await openAppContext(loadConfig({ BELEG_DATA_DIR: dataDir! }));
process.stdout.write(`OPEN ${JSON.stringify(context.reconciled)}\n`);
const acknowledged: { index: number; id: string }[] = [];
for (let index = first; index < first + count; index += 1) {
  const document = await context.ingestion.ingest({ kind: 'text', title: `Dokument ${index}`, text: crashDocumentText(index) });
  if (document.status !== 'ready') throw new Error(`document ${index} ended ${document.status}: ${document.errorMessage}`);
  process.stdout.write(`ACK ${index} ${document.id}\n`);
  acknowledged.push({ index, id: document.id });
  // After the 2nd, 5th, 8th … document of this run, remove the one before it.
  if ((index - first) % 3 === 1 && acknowledged.length >= 2) {
    const victim = acknowledged.splice(acknowledged.length - 2, 1)[0]!;
    process.stdout.write(`RM ${victim.index} ${victim.id}\n`);
    killOnDelete = mode === 'before-delete';
    await context.ingestion.remove(victim.id);
    killOnDelete = false;
    process.stdout.write(`DEL ${victim.index} ${victim.id}\n`);
  }
}
await context.close();
process.stdout.write('DONE\n');
