/** What one classifier call cost (LLM classifiers; the built-in one costs nothing). */
export interface ClassificationCost {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** In the currency the LLM provider bills in (usually USD); 0 when unknown. */
  cost: number;
}

export interface IntentClassification {
  /** A taxonomy intent name, or `other`. */
  intent: string;
  usage?: ClassificationCost;
  /** True when the answer came from the classifier's cache (no tokens spent). */
  cached?: boolean;
}

/**
 * Maps a prompt text to one intent of the taxonomy. Implementations must
 * never log the text: prompts carry personal data.
 */
export interface IntentClassifier {
  /** `builtin`, `llm`…: recorded with the usage totals. */
  readonly name: string;
  /** Rejects (with a typed error) when the classifier cannot answer. */
  classify(text: string): Promise<IntentClassification>;
}
