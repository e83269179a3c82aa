import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEV_SET_PATH as DEV_SET_URL, devSetAvailable } from '../../test/support/dev-set.js';
import { createBuiltinClassifier } from './builtin-classifier.js';
import { evaluateClassifier, formatEvaluation, LabelledDataError, readLabelledJsonl } from './evaluate.js';
import { loadTaxonomy } from './taxonomy.js';

/** What the classifier reaches on the dev set (312/350 = 89.1%), rounded down: it is deterministic. */
const DEV_ACCURACY_FLOOR = 0.89;

const classifier = createBuiltinClassifier(loadTaxonomy());

describe('builtin classifier', () => {
  it('is named builtin and answers through the async contract', async () => {
    expect(classifier.name).toBe('builtin');
    await expect(classifier.classify('where is my parcel, it was due on monday')).resolves.toEqual({
      intent: 'support_shipping',
    });
  });

  it.runIf(devSetAvailable())(`reaches at least ${Math.round(DEV_ACCURACY_FLOOR * 100)}% accuracy on the labelled dev set`, async () => {
    const labelled = readLabelledJsonl(readFileSync(DEV_SET_URL, 'utf8'));
    expect(labelled).toHaveLength(350);
    const evaluation = await evaluateClassifier(classifier, labelled);
    expect(evaluation.accuracy, formatEvaluation(evaluation)).toBeGreaterThanOrEqual(DEV_ACCURACY_FLOOR);
  });

  it.each([
    ['does the 13 inch model come in silver', 'product_inquiry'],
    ['my tracking has not updated in four days', 'support_shipping'],
    ['i would like a refund for the broken kettle', 'support_returns'],
    ['the app keeps crashing when i open settings', 'technical_support'],
    ['i forgot my password', 'account_management'],
    ['I was charged twice for one order', 'billing_payment'],
    ['thanks, bye', 'other'],
  ])('classifies %j as %s', (text, intent) => {
    expect(classifier.classifyText(text)).toBe(intent);
  });

  it('tolerates typos, missing apostrophes and shorthand', () => {
    expect(classifier.classifyText('havent recieved my pkg yet, wheres it')).toBe('support_shipping');
    expect(classifier.classifyText('cant log in to my acount, pasword reset doesnt work')).toBe('account_management');
  });

  it('ignores a greeting in front of a real question', () => {
    expect(classifier.classifyText('Hi there! my earbuds won’t pair with my phone')).toBe('technical_support');
  });

  it('answers other for empty, blank and garbage text', () => {
    for (const text of ['', '   ', '?!?!', '12345', 'zxqv blorp fnargle', '🙂🙂🙂', 'a b c d']) {
      expect(classifier.classifyText(text)).toBe('other');
    }
  });

  it.runIf(devSetAvailable())('is deterministic across calls and across instances', () => {
    const texts = readLabelledJsonl(readFileSync(DEV_SET_URL, 'utf8')).map((prompt) => prompt.text);
    const again = createBuiltinClassifier(loadTaxonomy());
    const first = texts.map((text) => classifier.classifyText(text));
    expect(texts.map((text) => classifier.classifyText(text))).toEqual(first);
    expect(texts.map((text) => again.classifyText(text))).toEqual(first);
  });

  it.runIf(devSetAvailable())('takes well under a millisecond per prompt', () => {
    const texts = readLabelledJsonl(readFileSync(DEV_SET_URL, 'utf8')).map((prompt) => prompt.text);
    const started = performance.now();
    for (const text of texts) classifier.classifyText(text);
    expect((performance.now() - started) / texts.length).toBeLessThan(1);
  });
});

describe('evaluation', () => {
  const stub = { name: 'stub', classify: (text: string) => Promise.resolve({ intent: text.startsWith('ship') ? 'support_shipping' : 'other' }) };

  it('computes accuracy, precision, recall and the confusion matrix', async () => {
    const evaluation = await evaluateClassifier(stub, [
      { text: 'ship it', intent: 'support_shipping' },
      { text: 'shipping?', intent: 'support_returns' },
      { text: 'hello', intent: 'other' },
      { text: 'refund', intent: 'support_returns' },
    ]);
    expect(evaluation.accuracy).toBe(0.5);
    expect(evaluation.labels).toEqual(['other', 'support_returns', 'support_shipping']);
    expect(evaluation.confusion).toEqual([
      [1, 0, 0],
      [1, 0, 1],
      [0, 0, 1],
    ]);
    expect(evaluation.perIntent.find((score) => score.intent === 'support_shipping')).toEqual({
      intent: 'support_shipping',
      precision: 0.5,
      recall: 1,
      support: 1,
    });
    const report = formatEvaluation(evaluation);
    expect(report).toContain('Accuracy: 50.0% (2/4)');
    expect(report).toContain('Confusion matrix');
  });

  it('reads JSONL, skipping blank lines', () => {
    expect(readLabelledJsonl('{"text":"hi","intent":"other"}\n\n{"text":"x","intent":"other"}\n')).toHaveLength(2);
  });

  it('names the line of a bad JSONL row', () => {
    const text = '{"text":"hi","intent":"other"}\n{"text":"oops"\n';
    expect(() => readLabelledJsonl(text)).toThrow(LabelledDataError);
    expect(() => readLabelledJsonl(text)).toThrow(/line 2: not valid JSON/);
    expect(() => readLabelledJsonl('{"text":"hi"}')).toThrow(/line 1: "intent" must be a non-empty string/);
  });
});
