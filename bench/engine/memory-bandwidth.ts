/**
 * Measures memory read bandwidth the simple way: worker threads each scan a large buffer (far
 * bigger than the caches), best of a few passes. Used for the decode roofline.
 */
import { Worker } from 'node:worker_threads';

// Buffer.indexOf for a byte that is absent is a native, vectorised scan (memchr): it reads
// every byte once and does almost no arithmetic, so it approximates read bandwidth. A plain JS
// summing loop measures the JIT's arithmetic instead.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const buffer = Buffer.alloc(workerData.bytes, 2); // written, so every page is real memory
parentPort.on('message', () => {
  const start = process.hrtime.bigint();
  const found = buffer.indexOf(1);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  parentPort.postMessage({ seconds, found });
});
parentPort.postMessage('ready');
`;

/** Bytes per second read by `threads` workers scanning `bytesPerThread` each (best of `passes`). */
export async function measureBandwidth(threads: number, bytesPerThread = 512 * 1024 * 1024, passes = 4): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(workerSource, { eval: true, workerData: { bytes: bytesPerThread } }));
  try {
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
    let best = 0;
    for (let pass = 0; pass < passes; pass++) {
      const start = performance.now();
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once('message', () => resolve());
              worker.postMessage('go');
            }),
        ),
      );
      const seconds = (performance.now() - start) / 1000;
      best = Math.max(best, (threads * bytesPerThread) / seconds);
    }
    return best;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
