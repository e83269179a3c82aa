import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import type { IntentClassifier } from './classifier.js';
import { evaluateClassifier, formatEvaluation, readLabelledJsonl } from './evaluate.js';
import { selectClassifier, type ClassifierKind } from './select-classifier.js';
import { loadTaxonomy } from './taxonomy.js';

export const INTENTS_USAGE = `usage: chatmeter-collector intents eval --file labelled.jsonl [--classifier builtin|llm] [--intents taxonomy.json]
       chatmeter-collector intents classify [--classifier builtin|llm] [--intents taxonomy.json] < prompts.jsonl

eval      prints accuracy, per-intent precision/recall and the confusion matrix
          of a classifier over {"text", "intent"} lines
classify  reads {"text"} lines (or plain text lines) and writes {"text", "intent"} lines

The LLM classifier reads --llm-url / CHATMETER_LLM_URL, --llm-model /
CHATMETER_LLM_MODEL and CHATMETER_LLM_API_KEY.
`;

/** `chatmeter-collector intents …`: test a taxonomy and a classifier before rolling them out. */
export async function runIntents(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    process.stdout.write(INTENTS_USAGE);
    return;
  }
  const { values } = parseIntentArgs(rest);
  const classifier = buildClassifier(values, env);
  switch (subcommand) {
    case 'eval': {
      if (values.file === undefined) throw new ConfigError('intents eval needs --file labelled.jsonl');
      const labelled = readLabelledJsonl(readText(values.file));
      const evaluation = await evaluateClassifier(classifier, labelled);
      process.stdout.write(`classifier: ${classifier.name}\n${formatEvaluation(evaluation)}\n`);
      return;
    }
    case 'classify':
      await classifyLines(classifier);
      return;
    default:
      throw new ConfigError(`unknown intents command "${subcommand}"; expected eval or classify`);
  }
}

type IntentArgs = { file?: string; classifier?: string; intents?: string; 'llm-url'?: string; 'llm-model'?: string };

function parseIntentArgs(args: string[]): { values: IntentArgs } {
  try {
    return parseArgs({
      args,
      options: {
        file: { type: 'string' },
        classifier: { type: 'string' },
        intents: { type: 'string' },
        'llm-url': { type: 'string' },
        'llm-model': { type: 'string' },
      },
      strict: true,
    });
  } catch (error) {
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)}\n${INTENTS_USAGE}`);
  }
}

function buildClassifier(values: IntentArgs, env: NodeJS.ProcessEnv): IntentClassifier {
  const kind = values.classifier;
  if (kind !== undefined && kind !== 'builtin' && kind !== 'llm') {
    throw new ConfigError(`--classifier must be builtin or llm, got ${JSON.stringify(kind)}`);
  }
  const taxonomy = loadTaxonomy(values.intents ?? env['CHATMETER_INTENTS']);
  return selectClassifier(
    taxonomy,
    {
      llmUrl: values['llm-url'] ?? env['CHATMETER_LLM_URL'],
      llmModel: values['llm-model'] ?? env['CHATMETER_LLM_MODEL'],
      llmApiKey: env['CHATMETER_LLM_API_KEY'],
    },
    (kind as ClassifierKind | undefined) ?? 'builtin',
  );
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read --file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function classifyLines(classifier: IntentClassifier): Promise<void> {
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const text = textOfLine(line, lineNumber);
    const { intent } = await classifier.classify(text);
    process.stdout.write(`${JSON.stringify({ text, intent })}\n`);
  }
}

/** A `{"text": …}` JSON line, or the raw line when it is not JSON. */
function textOfLine(line: string, lineNumber: number): string {
  if (!line.trimStart().startsWith('{')) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new ConfigError(`stdin line ${lineNumber}: not valid JSON (${(error as Error).message})`);
  }
  const text = (parsed as { text?: unknown }).text;
  if (typeof text !== 'string') throw new ConfigError(`stdin line ${lineNumber}: "text" must be a string`);
  return text;
}
