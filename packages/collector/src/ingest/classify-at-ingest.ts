import type { Logger } from 'pino';
import type { ClassificationUsage } from '../classification/classification-queue.js';
import { CLASSIFICATION_ERROR } from '../classification/classification-worker.js';
import type { IntentClassifier } from '../intent/classifier.js';
import type { EventRecord } from '../store/event-record.js';

export interface IngestClassification {
  /**
   * A classifier fast and local enough to run inside an ingest request (the
   * built-in one: tens of microseconds, no network). An LLM classifier never
   * runs here: its prompts wait in the durable queue instead.
   */
  classifier: IntentClassifier;
  logger: Logger;
}

/**
 * Gives every prompt that carries text its intent before the batch is
 * stored, so its text never needs to be written anywhere: the record leaves
 * with an intent, no pending text, and the usage to add to the classifier's
 * daily totals. Every prompt is classified (`intent_sampled = 1`): sampling
 * exists to bound what an LLM classifier costs, and this one costs nothing.
 * A classifier that fails marks the prompt `classification_error`; the
 * batch is stored all the same.
 */
export async function classifyAtIngest(records: readonly EventRecord[], { classifier, logger }: IngestClassification): Promise<EventRecord[]> {
  const classified: EventRecord[] = [];
  for (const record of records) {
    const text = record.pendingPromptText;
    if (text === null) {
      classified.push(record);
      continue;
    }
    const usage: ClassificationUsage = {
      day: new Date(record.receivedAt).toISOString().slice(0, 10),
      classifier: classifier.name,
      prompts: 1, cached: 0, errors: 0, notSampled: 0, promptTokens: 0, completionTokens: 0, cost: 0,
    };
    let intent: string;
    try {
      const result = await classifier.classify(text);
      intent = result.intent;
      usage.cached = result.cached === true ? 1 : 0;
      usage.promptTokens = result.usage?.promptTokens ?? 0;
      usage.completionTokens = result.usage?.completionTokens ?? 0;
      usage.cost = result.usage?.cost ?? 0;
    } catch (error) {
      // The message id identifies the prompt; the text is never logged.
      logger.warn({ err: error, messageId: record.messageId }, 'classification at ingest failed; prompt marked classification_error');
      intent = CLASSIFICATION_ERROR;
      usage.errors = 1;
    }
    classified.push({ ...record, intent, pendingPromptText: null, ingestClassificationUsage: usage });
  }
  return classified;
}
