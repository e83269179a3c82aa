import { Router, type Response } from 'express';
import type { EventExport } from '../store/event-export.js';
import { parseExportRange } from './export-range.js';

/**
 * `GET /v1/export?from&to`: the stored events received in the range, one
 * JSON object per line (NDJSON), for loading into a warehouse. Mounted
 * behind the admin key: rows carry user ids, traits and properties.
 * Pages are written as they are read and the next page waits for the
 * socket to drain, so memory stays at about one page whatever the range.
 */
export function createExportRouter(options: { source: EventExport }): Router {
  const router = Router();
  router.get('/', async (request, response) => {
    const range = parseExportRange(request.query);
    response.status(200);
    response.type('application/x-ndjson; charset=utf-8');
    response.set('Cache-Control', 'no-store');
    response.set('Content-Disposition', 'attachment; filename="chatmeter-events.ndjson"');
    for await (const page of options.source.exportEvents(range)) {
      if (response.destroyed) return;
      const chunk = page.map((event) => `${JSON.stringify(event)}\n`).join('');
      if (!response.write(chunk)) await drained(response);
    }
    response.end();
  });
  return router;
}

/** Resolves when the socket takes more, or when the client has gone (then the loop stops). */
function drained(response: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
