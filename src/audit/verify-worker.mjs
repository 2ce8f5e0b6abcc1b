// Worker thread for database verification: runs verifyBatch on the batches it is sent.
import { parentPort } from 'node:worker_threads';
import { verifyBatch } from './verify-batch.mjs';

parentPort.on('message', ({ id, task }) => {
  let result;
  try {
    result = verifyBatch(task);
  } catch {
    result = { ok: false, seq: task.firstSeq };
  }
  parentPort.postMessage({ id, result });
});
