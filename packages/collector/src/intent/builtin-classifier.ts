/**
 * The built-in intent classifier: offline, deterministic and free. A
 * multinomial naive Bayes over token and bigram features, learned from the
 * taxonomy's descriptions, keywords and examples, plus a boost for every
 * taxonomy keyword phrase found in the prompt. Prompts without enough
 * evidence for any intent are answered `other`.
 */
import type { IntentClassification, IntentClassifier } from './classifier.js';
import { OTHER_INTENT, type Taxonomy } from './taxonomy.js';
import { extractFeatures, featuresOf, meaningfulTokens, PLACEHOLDER_PREFIX, tokenise } from './text-normalise.js';

/** How much one training text counts: descriptions are long and generic, so they count less. */
const EXAMPLE_WEIGHT = 1;
const DESCRIPTION_WEIGHT = 0.5;
const KEYWORD_WEIGHT = 1;
/** Additive smoothing, below Laplace's 1: a taxonomy has few examples and every cue matters. */
const SMOOTHING = 0.1;
/** Log-odds added per keyword found in the prompt (split among the intents sharing it). */
const KEYWORD_BOOST = 2;
/** "track my order" is stronger evidence than "order": each extra word adds this much. */
const PHRASE_BOOST_PER_EXTRA_WORD = 0.6;
/** Below this lead over `other` (and over no evidence at all), a prompt is answered `other`. */
const MIN_EVIDENCE = 1.5;

export interface BuiltinClassifier extends IntentClassifier {
  /** The same answer as `classify`, synchronously. */
  classifyText(text: string): string;
}

interface KeywordPhrase {
  tokens: readonly string[];
  intentIndex: number;
  boost: number;
}

interface Model {
  intents: readonly string[];
  /**
   * Per feature, per intent (taxonomy order): log P(feature | intent) minus
   * its mean over intents. Centring makes a feature every intent shares
   * weigh nothing, and a prompt of unknown words score 0 everywhere.
   */
  featureWeights: ReadonlyMap<string, Float64Array>;
  /** Keyword phrases indexed by their first token, so matching stays well under a millisecond. */
  keywordPhrases: ReadonlyMap<string, readonly KeywordPhrase[]>;
}

export function createBuiltinClassifier(taxonomy: Taxonomy): BuiltinClassifier {
  const model = trainModel(taxonomy);
  const classifyText = (text: string): string => predict(model, text);
  return {
    name: 'builtin',
    classifyText,
    classify: (text: string): Promise<IntentClassification> => Promise.resolve({ intent: classifyText(text) }),
  };
}

function trainModel(taxonomy: Taxonomy): Model {
  const intents = taxonomy.intents.map((intent) => intent.name);
  const counts = intents.map(() => new Map<string, number>());
  taxonomy.intents.forEach((intent, index) => {
    const intentCounts = counts[index] ?? new Map<string, number>();
    const learn = (text: string, weight: number): void => {
      // Presence, not frequency: a word repeated in one text is no stronger a cue.
      for (const feature of new Set(extractFeatures(text))) {
        intentCounts.set(feature, (intentCounts.get(feature) ?? 0) + weight);
      }
    };
    learn(intent.description, DESCRIPTION_WEIGHT);
    for (const keyword of intent.keywords ?? []) learn(keyword, KEYWORD_WEIGHT);
    for (const example of intent.examples) learn(example, EXAMPLE_WEIGHT);
  });

  const vocabulary = new Set<string>();
  for (const intentCounts of counts) for (const feature of intentCounts.keys()) vocabulary.add(feature);
  const totals = counts.map((intentCounts) => sum(intentCounts.values()) + SMOOTHING * vocabulary.size);

  const featureWeights = new Map<string, Float64Array>();
  for (const feature of [...vocabulary].sort()) {
    const logProbabilities = counts.map((intentCounts, index) =>
      Math.log(((intentCounts.get(feature) ?? 0) + SMOOTHING) / (totals[index] ?? 1)),
    );
    const mean = sum(logProbabilities) / logProbabilities.length;
    featureWeights.set(feature, Float64Array.from(logProbabilities, (logProbability) => logProbability - mean));
  }
  return { intents, featureWeights, keywordPhrases: indexKeywordPhrases(taxonomy) };
}

function indexKeywordPhrases(taxonomy: Taxonomy): Map<string, KeywordPhrase[]> {
  // A keyword listed by several intents is weaker evidence for each of them.
  const owners = new Map<string, Set<number>>();
  taxonomy.intents.forEach((intent, intentIndex) => {
    for (const keyword of intent.keywords ?? []) {
      const key = tokenise(keyword).join(' ');
      if (key === '') continue;
      const intentIndexes = owners.get(key) ?? new Set<number>();
      intentIndexes.add(intentIndex);
      owners.set(key, intentIndexes);
    }
  });
  const byFirstToken = new Map<string, KeywordPhrase[]>();
  for (const [key, intentIndexes] of owners) {
    const tokens = key.split(' ');
    const boost = (KEYWORD_BOOST + PHRASE_BOOST_PER_EXTRA_WORD * (tokens.length - 1)) / intentIndexes.size;
    const first = tokens[0] ?? '';
    const phrases = byFirstToken.get(first) ?? [];
    for (const intentIndex of intentIndexes) phrases.push({ tokens, intentIndex, boost });
    byFirstToken.set(first, phrases);
  }
  return byFirstToken;
}

function predict(model: Model, text: string): string {
  const tokens = meaningfulTokens(text);
  // A bare order number, price or email is not a question about anything yet.
  if (tokens.every((token) => token.startsWith(PLACEHOLDER_PREFIX))) return OTHER_INTENT;
  const scores = scoreIntents(model, tokens);
  let bestIndex = -1;
  let bestScore = -Infinity;
  scores.forEach((score, index) => {
    // Strictly greater: a tie goes to the intent listed first, never to chance.
    if (score > bestScore) {
      bestIndex = index;
      bestScore = score;
    }
  });
  const best = model.intents[bestIndex] ?? OTHER_INTENT;
  const otherIndex = model.intents.indexOf(OTHER_INTENT);
  const otherScore = scores[otherIndex] ?? 0;
  // Scores are relative to the average intent, so 0 means "no evidence": an
  // intent must beat both that and `other` by a margin to be trusted.
  if (best !== OTHER_INTENT && bestScore - Math.max(otherScore, 0) < MIN_EVIDENCE) return OTHER_INTENT;
  return best;
}

/** Per intent (taxonomy order): summed feature weights plus keyword boosts. */
function scoreIntents(model: Model, tokens: readonly string[]): Float64Array {
  const scores = new Float64Array(model.intents.length);
  for (const feature of new Set(featuresOf(tokens))) {
    const weights = model.featureWeights.get(feature);
    if (weights === undefined) continue;
    weights.forEach((weight, index) => {
      scores[index] = (scores[index] ?? 0) + weight;
    });
  }
  const matched = new Set<KeywordPhrase>();
  tokens.forEach((token, start) => {
    for (const phrase of model.keywordPhrases.get(token) ?? []) {
      // Each keyword counts once, however often the prompt repeats it.
      if (matched.has(phrase) || !startsWith(tokens, start, phrase.tokens)) continue;
      matched.add(phrase);
      scores[phrase.intentIndex] = (scores[phrase.intentIndex] ?? 0) + phrase.boost;
    }
  });
  return scores;
}

function startsWith(tokens: readonly string[], start: number, phrase: readonly string[]): boolean {
  return phrase.every((token, offset) => tokens[start + offset] === token);
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
