import { Router } from 'express';
import { MAX_ID_LENGTH } from '../protocol/index.js';
import type { DataLifecycle } from '../store/data-lifecycle.js';
import { HttpError } from './http-error.js';

/**
 * `DELETE /v1/users/:userId`: the erasure request of one person (GDPR
 * art. 17, CCPA). Erases their events, identity links and traits and answers
 * `{ "erased": { "events", "identities", "users" } }`. Erasing an unknown
 * or already erased user answers 200 with zeros: a retried request is
 * harmless and says nothing of whether the user existed. Mounted behind the
 * admin key.
 */
export function createUserErasureRouter(options: { lifecycle: DataLifecycle }): Router {
  const router = Router();
  router.delete('/:userId', async (request, response) => {
    const userId = request.params.userId;
    // Ingest accepts ids of at most MAX_ID_LENGTH characters, so a longer one names no stored user: a typo worth reporting.
    if (userId.length > MAX_ID_LENGTH) {
      throw new HttpError(400, 'invalid_parameter', `userId must be at most ${MAX_ID_LENGTH} characters (as ingest accepts), got ${userId.length}`);
    }
    const erased = await options.lifecycle.eraseUser(userId);
    response.set('Cache-Control', 'no-store');
    response.status(200).json({ erased });
  });
  return router;
}
