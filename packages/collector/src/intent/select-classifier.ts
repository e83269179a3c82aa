import { createBuiltinClassifier } from './builtin-classifier.js';
import type { IntentClassifier } from './classifier.js';
import { createLlmClassifier } from './llm-classifier.js';
import type { Taxonomy } from './taxonomy.js';
import { ChatmeterError } from '../chatmeter-error.js';

export type ClassifierKind = 'builtin' | 'llm';

export interface ClassifierSettings {
  llmUrl?: string | undefined;
  llmModel?: string | undefined;
  llmApiKey?: string | undefined;
}

/** Thrown when the LLM classifier is asked for but not configured. */
export class ClassifierConfigError extends ChatmeterError {
  override readonly name = 'ClassifierConfigError';
}

/**
 * The LLM classifier when an endpoint and model are configured, the built-in
 * one otherwise (no key, no network, no cost).
 */
export function selectClassifier(taxonomy: Taxonomy, settings: ClassifierSettings, kind?: ClassifierKind): IntentClassifier {
  const wantsLlm = kind === 'llm' || (kind === undefined && settings.llmUrl !== undefined);
  if (!wantsLlm) return createBuiltinClassifier(taxonomy);
  if (settings.llmUrl === undefined || settings.llmModel === undefined) {
    throw new ClassifierConfigError(
      'the LLM classifier needs --llm-url (CHATMETER_LLM_URL) and --llm-model (CHATMETER_LLM_MODEL); the key comes from CHATMETER_LLM_API_KEY',
    );
  }
  return createLlmClassifier({
    url: settings.llmUrl,
    model: settings.llmModel,
    taxonomy,
    ...(settings.llmApiKey === undefined ? {} : { apiKey: settings.llmApiKey }),
  });
}

/**
 * The classifier that may run inside an ingest request, if any. Only the
 * built-in one qualifies: it answers in tens of microseconds with no network
 * and no cost, so prompts are classified as they arrive and their texts are
 * never written anywhere. An LLM classifier is slow, billed and can fail for
 * seconds at a time, so its prompts wait in the durable queue instead.
 */
export function ingestClassifierFor(classifier: IntentClassifier): IntentClassifier | undefined {
  const builtin: ClassifierKind = 'builtin';
  return classifier.name === builtin ? classifier : undefined;
}
