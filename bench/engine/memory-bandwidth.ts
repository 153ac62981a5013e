/**
 * Measures memory read bandwidth the simple way: worker threads each sum a large Float64Array
 * (far bigger than the caches), best of a few passes. Used for the decode roofline.
 */
import { Worker } from 'node:worker_threads';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const values = new Float64Array(workerData.bytes / 8);
for (let index = 0; index < values.length; index += 512) values[index] = index;
parentPort.on('message', () => {
  const start = process.hrtime.bigint();
  let sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
  for (let index = 0; index < values.length; index += 4) {
    sum0 += values[index]; sum1 += values[index + 1]; sum2 += values[index + 2]; sum3 += values[index + 3];
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  parentPort.postMessage({ seconds, sum: sum0 + sum1 + sum2 + sum3 });
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
