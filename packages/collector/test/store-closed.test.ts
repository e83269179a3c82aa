import { describe, expect, it } from 'vitest';
import { startTestApp } from './support/test-app.js';

describe('a store that has been closed', () => {
  it('answers a write with 503 storage_unavailable, so the client keeps its events and retries, instead of a 500', async () => {
    const app = await startTestApp();
    try {
      await app.store.close();
      const response = await app.post('/v1/batch', {
        batch: [{ type: 'track', event: 'ai_user_prompt_created', userId: 'u1', messageId: 'after-close', properties: { conversation_id: 'c1' } }],
      });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('storage_unavailable');
      expect(response.body.error.message).toContain('closed');
    } finally {
      await app.close();
    }
  });
});
