import type { Logger } from 'pino';
import type { IntentClassifier } from '../intent/classifier.js';
import type { ClassificationOutcome, ClassificationQueue, ClassificationUsage, QueuedPrompt } from './classification-queue.js';

/** Intent of a prompt the sampling policy skipped. */
export const NOT_SAMPLED = 'not_sampled';
/** Intent when the classifier failed (LLM timeout, bad answer after retry…). */
export const CLASSIFICATION_ERROR = 'classification_error';

/** What `nextBatch` returns after sending an unreadable prompt to the dead letter. */
const QUARANTINED = Symbol('quarantined');
const NO_USAGE = { prompts: 0, cached: 0, errors: 0, notSampled: 0, promptTokens: 0, completionTokens: 0, cost: 0 } as const;

export interface ClassificationWorkerOptions {
  queue: ClassificationQueue;
  classifier: IntentClassifier;
  /** The sampling policy: should this prompt be classified? */
  isSampled: (prompt: QueuedPrompt, now: number) => boolean;
  logger: Logger;
  now?: () => number;
  /** Prompts per transaction. */
  batchSize?: number;
  /** Pause between polls when the queue is empty. */
  idleMs?: number;
  /** LLM calls in flight at once. */
  concurrency?: number;
  /**
   * A cap on what `classifier` may cost per UTC day: once the day's recorded
   * spend reaches `dailyLimit`, `fallback` (the built-in classifier)
   * classifies instead until midnight UTC. Calls already in flight when the
   * cap is reached still complete, so a day can overshoot by up to
   * `concurrency` calls.
   */
  budget?: { dailyLimit: number; fallback: IntentClassifier } | undefined;
}

export interface ClassificationWorker {
  /** Resolves when the queue is empty (used by tests and the demo). */
  drain(): Promise<void>;
  /** Finishes the batch in hand and stops polling. */
  stop(): Promise<void>;
}

/**
 * Classifies queued prompts in the background so that ingest never waits
 * for a classifier. The queue is durable: after a crash or downtime the
 * worker starts where it stopped. Texts are never logged.
 */
export function startClassificationWorker(options: ClassificationWorkerOptions): ClassificationWorker {
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 50;
  const idleMs = options.idleMs ?? 250;
  const concurrency = options.concurrency ?? 4;
  let stopped = false;
  let erasedSincePurge = false;
  let wake: (() => void) | undefined;
  const idleWaiters: (() => void)[] = [];

  let budgetExhaustedOn: string | undefined;

  async function classifyBatch(prompts: readonly QueuedPrompt[]): Promise<void> {
    const day = new Date(now()).toISOString().slice(0, 10);
    const usage: ClassificationUsage = {
      day, classifier: options.classifier.name, prompts: 0, cached: 0, errors: 0, notSampled: 0,
      promptTokens: 0, completionTokens: 0, cost: 0,
    };
    const budget = options.budget;
    const fallbackUsage: ClassificationUsage | undefined =
      budget === undefined ? undefined : { ...usage, ...NO_USAGE, classifier: budget.fallback.name };
    // Spend recorded before this batch; the batch's own spend is added as its calls return.
    const spentBefore = budget === undefined ? 0 : await options.queue.classifierCostOn(day, options.classifier.name);
    const classifierFor = (): { classifier: IntentClassifier; usage: ClassificationUsage } => {
      if (budget === undefined || fallbackUsage === undefined || spentBefore + usage.cost < budget.dailyLimit) {
        return { classifier: options.classifier, usage };
      }
      if (budgetExhaustedOn !== day) {
        budgetExhaustedOn = day;
        options.logger.warn(
          { day, dailyLimit: budget.dailyLimit, spent: spentBefore + usage.cost, fallback: budget.fallback.name },
          'classifier daily budget reached; the fallback classifier takes over until midnight UTC',
        );
      }
      return { classifier: budget.fallback, usage: fallbackUsage };
    };
    const outcomes: ClassificationOutcome[] = [];
    await mapWithConcurrency(prompts, concurrency, async (prompt) => {
      if (!options.isSampled(prompt, now())) {
        usage.notSampled += 1;
        outcomes.push({ eventId: prompt.eventId, intent: NOT_SAMPLED, sampled: false });
        return;
      }
      const chosen = classifierFor();
      let intent: string;
      try {
        const result = await chosen.classifier.classify(prompt.text);
        intent = result.intent;
        chosen.usage.cached += result.cached === true ? 1 : 0;
        chosen.usage.promptTokens += result.usage?.promptTokens ?? 0;
        chosen.usage.completionTokens += result.usage?.completionTokens ?? 0;
        chosen.usage.cost += result.usage?.cost ?? 0;
      } catch (error) {
        // Log the failure, never the text.
        options.logger.warn({ err: error, eventId: prompt.eventId }, 'classification failed');
        intent = CLASSIFICATION_ERROR;
      }
      chosen.usage.prompts += 1;
      if (intent === CLASSIFICATION_ERROR) chosen.usage.errors += 1;
      outcomes.push({ eventId: prompt.eventId, intent, sampled: true });
    });
    await recordOrQuarantine(outcomes, usage);
    if (fallbackUsage !== undefined && fallbackUsage.prompts > 0) await options.queue.recordClassifications([], fallbackUsage);
  }

  /**
   * Records a batch in one transaction; if that fails, each outcome on its
   * own, and an outcome that still cannot be recorded goes to the dead
   * letter. A failing row is never retried forever.
   */
  async function recordOrQuarantine(outcomes: readonly ClassificationOutcome[], usage: ClassificationUsage): Promise<void> {
    try {
      await options.queue.recordClassifications(outcomes, usage);
      return;
    } catch (error) {
      options.logger.warn({ err: error, prompts: outcomes.length }, 'recording a classification batch failed; recording one by one');
    }
    for (const outcome of outcomes) {
      try {
        await options.queue.recordClassifications([outcome], { ...usage, ...NO_USAGE });
      } catch (error) {
        await quarantine(outcome.eventId, error);
      }
    }
    await options.queue.recordClassifications([], usage);
  }

  async function quarantine(eventId: string, cause: unknown): Promise<void> {
    options.logger.warn({ err: cause, eventId }, 'prompt cannot be classified; marked classification_error and its text erased');
    await options.queue.quarantinePrompt(eventId);
  }

  /**
   * The next batch. When the batch cannot be read, read one prompt at a
   * time, and when even the oldest cannot be read, it is the poison: it goes
   * to the dead letter and the queue moves on.
   */
  async function nextBatch(): Promise<QueuedPrompt[] | typeof QUARANTINED> {
    try {
      return await options.queue.nextPromptsToClassify(batchSize);
    } catch (error) {
      options.logger.warn({ err: error }, 'reading queued prompts failed; reading one at a time');
    }
    try {
      return await options.queue.nextPromptsToClassify(1);
    } catch (error) {
      const eventId = await options.queue.oldestQueuedPromptId();
      if (eventId === null) throw error;
      await quarantine(eventId, error);
      return QUARANTINED;
    }
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      try {
        const prompts = await nextBatch();
        if (prompts === QUARANTINED || prompts.length > 0) {
          if (prompts !== QUARANTINED) await classifyBatch(prompts);
          erasedSincePurge = true;
          continue;
        }
        if (erasedSincePurge) {
          await options.queue.purgeErasedText();
          erasedSincePurge = false;
        }
      } catch (error) {
        options.logger.error({ err: error }, 'classification worker cycle failed');
      }
      for (const resolve of idleWaiters.splice(0)) resolve();
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  const running = loop();
  return {
    drain: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wake?.();
      }),
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}

async function mapWithConcurrency<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  });
  await Promise.all(workers);
}
