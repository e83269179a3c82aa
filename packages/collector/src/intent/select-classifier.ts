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
