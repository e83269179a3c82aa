// The writer thread's entry point (writer-thread-client.ts starts it): owns a
// second connection to the store's file and runs the request transactions
// and the rollup materializer on it, so that neither the inserts nor the fold
// (nor their fsyncs) hold up the event loop that parses and answers requests.
import { parentPort, workerData } from 'node:worker_threads';
import type { InsertOutcome } from '../event-record.js';
import { openDatabase } from './open-database.js';
import { RollupMaterializer } from './rollup-materializer.js';
import { InlineWriter } from './store-writer.js';
import { transferWriteError, type WriterReply, type WriterRequest, type WriterThreadData } from './writer-thread-protocol.js';

if (parentPort === null) throw new Error('writer-thread.js runs as a worker thread (writer-thread-client.ts), not on its own');
const port = parentPort;
const { path, rollups } = workerData as WriterThreadData;
// The store's own connection migrated the file before starting this thread.
const db = openDatabase(path, false);
// A checkpoint every 10,000 WAL pages (40 MB) instead of SQLite's 1,000: a
// group commit or a fold batch dirties index pages all over the file, so the
// default checkpointed after nearly every transaction, copying (and fsyncing)
// pages the next transaction dirtied again; ingest ran about a fifth faster
// with the larger interval in alternating runs (2026-12-02).
const CHECKPOINT_PAGES = 10_000;
db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
const writer = new InlineWriter(db);
// The fold runs on the same connection, between request transactions, with
// relaxed commits (RollupMaterializerOptions.relaxedCommits). It had a
// connection of its own for that until 2026-12-04; but a commit on one
// connection empties every other connection's page cache, so each request
// transaction re-read the index pages it touched from the file, and the
// fold's the same (pread was a tenth of this thread's time under the ingest
// benchmark's load).
const materializer = new RollupMaterializer(db, { ...rollups, relaxedCommits: true });
if (rollups.background) materializer.start();

const reply = (message: WriterReply): void => port.postMessage(message);

async function handle(request: WriterRequest): Promise<InsertOutcome | null> {
  switch (request.kind) {
    case 'insert':
      return writer.insertSerialized(request.events);
    case 'record-classifications':
      await writer.recordClassifications(request.outcomes, request.usage);
      return null;
    case 'quarantine':
      await writer.quarantinePrompt(request.eventId);
      return null;
    case 'checkpoint':
      await writer.checkpoint();
      return null;
    case 'flush':
      await writer.flush();
      return null;
    case 'close':
      await writer.close();
      materializer.stop();
      db.close();
      return null;
  }
}

port.on('message', (request: WriterRequest) => {
  handle(request).then(
    (outcome) => {
      reply({ id: request.id, ok: true, outcome });
      if (request.kind === 'close') port.close();
    },
    (error: unknown) => reply({ id: request.id, ok: false, error: transferWriteError(error) }),
  );
});
