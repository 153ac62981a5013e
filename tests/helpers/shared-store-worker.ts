/**
 * Child process for tests/shared-chunk-store.test.ts and bench/store-sharing: opens the chunk
 * store in shared mode on a directory other processes use too (the maintenance lease is a lock
 * file in that directory), then obeys one JSON command per stdin line and answers each with one
 * JSON line on stdout:
 *   {"add": ["doc-a", …], "chunks": 3, "repeat": 1}
 *                                        adds each document's chunks (its word `repeat` times) with
 *                                        one add() per document, answers {"added": [ids], "at": [when
 *                                        each add returned, epoch ms with fractions]}
 *   {"delete": ["doc-a", …]}             removes those documents one by one → {"deleted": [ids]}
 *   {"status": true}                     → {"status": <indexMaintenance()>}
 *   {"close": true}                      closes the store → {"closed": <indexMaintenance()>}, exits
 * It says {"ready": <indexMaintenance()>} once the store is open.
 *
 * Usage: node --import tsx tests/helpers/shared-store-worker.ts <directory> [maintenanceIntervalMs] [readConsistencyMs]
 */
import { createInterface } from 'node:readline';
import { LanceChunkStore } from '../../src/store/index.ts';
import { DirectoryMaintenanceLease } from '../../src/store/maintenance-lease/directory-lease.ts';
import { sharedStoreChunks } from './shared-store-chunks.ts';

const [directory, intervalArgument = '200', consistencyArgument = '0'] = process.argv.slice(2);
const store = await LanceChunkStore.open({
  directory: directory!,
  shared: { lease: new DirectoryMaintenanceLease(directory!), readConsistencyMs: Number(consistencyArgument), maintenanceIntervalMs: Number(intervalArgument) },
});
const say = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
say({ ready: store.indexMaintenance() });

type Command = { add?: string[]; chunks?: number; repeat?: number; delete?: string[]; status?: boolean; close?: boolean };
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const command = JSON.parse(line) as Command;
  if (command.add) {
    const at: number[] = [];
    for (const documentId of command.add) {
      await store.add(sharedStoreChunks(documentId, command.chunks ?? 1, command.repeat ?? 1));
      at.push(performance.timeOrigin + performance.now());
    }
    say({ added: command.add, at });
  } else if (command.delete) {
    for (const documentId of command.delete) await store.deleteDocuments([documentId]);
    say({ deleted: command.delete });
  } else if (command.status) {
    say({ status: store.indexMaintenance() });
  } else if (command.close) {
    const status = store.indexMaintenance();
    await store.close();
    say({ closed: status });
    process.exit(0);
  }
}
