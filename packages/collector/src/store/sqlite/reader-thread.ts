// A reader thread's entry point (reader-pool.ts starts them): a read-only
// connection to the store's file answering metric queries, so that the
// queries of one dashboard load or report run on several cores at once
// instead of one after another on the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteMetrics } from './metrics/sqlite-metrics.js';
import { openDatabase } from './open-database.js';
import { receiveArgs, transferReadError, type ReaderReply, type ReaderRequest, type ReaderThreadData } from './reader-thread-protocol.js';

if (parentPort === null) throw new Error('reader-thread.js runs as a worker thread (reader-pool.ts), not on its own');
const port = parentPort;
const { path } = workerData as ReaderThreadData;
const db = openDatabase(path, true);
// The pool folds the stored events into the rollups on the store's own connection before it sends a query here.
const metrics = new SqliteMetrics(db, () => undefined);
const methods = metrics as unknown as Record<ReaderRequest['method'], (...args: unknown[]) => Promise<unknown>>;

const reply = (message: ReaderReply): void => port.postMessage(message);

port.on('message', (request: ReaderRequest) => {
  let answer: Promise<unknown>;
  try {
    answer = methods[request.method].apply(metrics, receiveArgs(request.args));
  } catch (error) {
    answer = Promise.reject(error);
  }
  answer.then(
    (result) => reply({ id: request.id, ok: true, result }),
    (error: unknown) => reply({ id: request.id, ok: false, error: transferReadError(error) }),
  );
});

port.on('close', () => db.close());
