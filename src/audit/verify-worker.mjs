// Worker thread for database verification: runs verifyBatch on the batches it is sent.
import { parentPort } from 'node:worker_threads';
import { verifyBatch } from './verify-batch.mjs';

parentPort.on('message', ({ id, task }) => {
  let result;
  try {
    // Structured clone delivers Buffers as plain Uint8Arrays.
    const h = task.hashes;
    result = verifyBatch({ ...task, hashes: Buffer.from(h.buffer, h.byteOffset, h.byteLength) });
  } catch {
    result = { ok: false, seq: task.firstSeq };
  }
  parentPort.postMessage({ id, result });
});
