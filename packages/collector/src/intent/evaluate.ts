/**
 * Measures a classifier against labelled prompts: accuracy, per-intent
 * precision and recall, and the confusion matrix, plus a plain-text report.
 */
import type { IntentClassifier } from './classifier.js';
import { ChatmeterError } from '../chatmeter-error.js';

export interface LabelledPrompt {
  text: string;
  intent: string;
}

export interface IntentScore {
  intent: string;
  precision: number;
  recall: number;
  /** How many labelled prompts have this intent. */
  support: number;
}

export interface Evaluation {
  total: number;
  correct: number;
  accuracy: number;
  perIntent: IntentScore[];
  /** Intents in row/column order: expected labels first (sorted), then any only predicted. */
  labels: string[];
  /** `confusion[expected][predicted]` counts, indexed like `labels`. */
  confusion: number[][];
  /** The prompts the classifier got wrong, in input order. */
  mistakes: Array<LabelledPrompt & { predicted: string }>;
}

/** A JSONL line that is not `{"text": string, "intent": string}`. */
export class LabelledDataError extends ChatmeterError {
  override readonly name = 'LabelledDataError';
  readonly line: number;

  constructor(line: number, problem: string, options?: ErrorOptions) {
    super(`Labelled data line ${line}: ${problem}`, options);
    this.line = line;
  }
}

/** Parses `{"text": …, "intent": …}` lines; blank lines are skipped. */
export function readLabelledJsonl(text: string): LabelledPrompt[] {
  const prompts: LabelledPrompt[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new LabelledDataError(lineNumber, `not valid JSON (${reason})`, { cause: error });
    }
    if (typeof row !== 'object' || row === null) {
      throw new LabelledDataError(lineNumber, 'expected an object with "text" and "intent"');
    }
    const { text: prompt, intent } = row as Record<string, unknown>;
    if (typeof prompt !== 'string') throw new LabelledDataError(lineNumber, '"text" must be a string');
    if (typeof intent !== 'string' || intent === '') {
      throw new LabelledDataError(lineNumber, '"intent" must be a non-empty string');
    }
    prompts.push({ text: prompt, intent });
  });
  return prompts;
}

export async function evaluateClassifier(
  classifier: IntentClassifier,
  labelled: readonly LabelledPrompt[],
): Promise<Evaluation> {
  const predictions: string[] = [];
  // One at a time: an LLM classifier must not be flooded with parallel calls.
  for (const prompt of labelled) predictions.push((await classifier.classify(prompt.text)).intent);

  const expectedLabels = [...new Set(labelled.map((prompt) => prompt.intent))].sort();
  const predictedOnly = [...new Set(predictions)].filter((intent) => !expectedLabels.includes(intent)).sort();
  const labels = [...expectedLabels, ...predictedOnly];
  const confusion = labels.map(() => labels.map(() => 0));
  const mistakes: Evaluation['mistakes'] = [];
  let correct = 0;
  labelled.forEach((prompt, index) => {
    const predicted = predictions[index] ?? '';
    const row = confusion[labels.indexOf(prompt.intent)];
    const column = labels.indexOf(predicted);
    if (row !== undefined) row[column] = (row[column] ?? 0) + 1;
    if (predicted === prompt.intent) correct += 1;
    else mistakes.push({ ...prompt, predicted });
  });

  const perIntent = labels.map((intent, index): IntentScore => {
    const truePositives = confusion[index]?.[index] ?? 0;
    const support = sumOf(confusion[index] ?? []);
    const predictedCount = sumOf(confusion.map((row) => row[index] ?? 0));
    return {
      intent,
      precision: predictedCount === 0 ? 0 : truePositives / predictedCount,
      recall: support === 0 ? 0 : truePositives / support,
      support,
    };
  });

  const total = labelled.length;
  return { total, correct, accuracy: total === 0 ? 0 : correct / total, perIntent, labels, confusion, mistakes };
}

/** A fixed-width report: accuracy, then per-intent P/R/support, then the confusion matrix. */
export function formatEvaluation(evaluation: Evaluation): string {
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  const nameWidth = Math.max(8, ...evaluation.labels.map((label) => label.length));
  const lines = [`Accuracy: ${percent(evaluation.accuracy)} (${evaluation.correct}/${evaluation.total})`, ''];

  lines.push(`${'intent'.padEnd(nameWidth)}  precision  recall  support`);
  for (const score of evaluation.perIntent) {
    lines.push(
      `${score.intent.padEnd(nameWidth)}  ${percent(score.precision).padStart(9)}  ${percent(score.recall).padStart(6)}  ${String(score.support).padStart(7)}`,
    );
  }

  // Columns are numbered so the matrix stays narrow; the legend is the row names.
  lines.push('', 'Confusion matrix (rows: expected, columns: predicted)');
  const cellWidth = Math.max(4, String(evaluation.total).length + 1);
  const header = evaluation.labels.map((_, index) => `[${index + 1}]`.padStart(cellWidth)).join('');
  lines.push(`${''.padEnd(nameWidth + 5)}${header}`);
  evaluation.labels.forEach((label, rowIndex) => {
    const cells = (evaluation.confusion[rowIndex] ?? []).map((count) => String(count).padStart(cellWidth)).join('');
    lines.push(`${`[${rowIndex + 1}]`.padEnd(4)} ${label.padEnd(nameWidth)}${cells}`);
  });
  return lines.join('\n');
}

function sumOf(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
