import type { MessageInput } from '../protocol/index.js';
import { resolveDemoSettings, type DemoOptions } from './demo-settings.js';
import { signupWeights, simulateUser } from './simulate-user.js';

/**
 * Messages per batch. Demo messages stay under 700 bytes, so a batch is
 * about 200 KB, well under the 500 KB request limit (the test checks it;
 * measuring every message here would slow generation by a third).
 */
export const MAX_DEMO_BATCH_MESSAGES = 400;

/**
 * Realistic, reproducible traffic of an AI chat product: people sign up over
 * the period and drift away (or stay), chat in sessions of multi-turn
 * conversations on weekdays and office hours, and rate, copy or retry the
 * answers of three models with their own speed, failures and prices.
 * Only the classified intent of a prompt is sent, never a text.
 *
 * Yields Segment wire messages in batches ready for `POST /v1/batch`. Each
 * user's messages come in time order; users come one after the other, each
 * drawn from its own seeded stream, so user 7 is the same whatever `users` is.
 */
export function* generateDemoEvents(options: DemoOptions = {}): Generator<MessageInput[], void, undefined> {
  const settings = resolveDemoSettings(options);
  const weights = signupWeights(settings);
  let batch: MessageInput[] = [];
  for (let index = 0; index < settings.users; index += 1) {
    for (const message of simulateUser(index, settings, weights)) {
      batch.push(message);
      if (batch.length === MAX_DEMO_BATCH_MESSAGES) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
