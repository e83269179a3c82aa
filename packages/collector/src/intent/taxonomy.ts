/**
 * The intent taxonomy: the closed list of intents a prompt can be classified
 * into, with the descriptions, keywords and example prompts the built-in
 * classifier learns from (and an LLM classifier can be prompted with).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ChatmeterError } from '../chatmeter-error.js';

/** The catch-all intent every taxonomy must declare. */
export const OTHER_INTENT = 'other';

const MIN_INTENTS = 5;
const MAX_INTENTS = 10;
/** More examples would make an LLM prompt long and the taxonomy hard to review. */
const MAX_EXAMPLES = 30;
const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

const intentSchema = z.object({
  name: z.string().regex(SNAKE_CASE, { error: 'must be snake_case (e.g. support_returns)' }),
  description: z.string().trim().min(1, { error: 'must not be empty' }),
  keywords: z.array(z.string().trim().min(1, { error: 'must not be empty' })).optional(),
  examples: z
    .array(z.string().trim().min(1, { error: 'must not be empty' }))
    .max(MAX_EXAMPLES, { error: `must hold at most ${MAX_EXAMPLES} examples` }),
});

export const taxonomySchema = z
  .object({
    intents: z
      .array(intentSchema)
      .min(MIN_INTENTS + 1, {
        error: `must hold ${MIN_INTENTS}–${MAX_INTENTS} intents plus "${OTHER_INTENT}"`,
      })
      .max(MAX_INTENTS + 1, {
        error: `must hold ${MIN_INTENTS}–${MAX_INTENTS} intents plus "${OTHER_INTENT}"`,
      }),
  })
  .superRefine((taxonomy, context) => {
    const seen = new Set<string>();
    taxonomy.intents.forEach((intent, index) => {
      if (seen.has(intent.name)) {
        context.addIssue({
          code: 'custom',
          path: ['intents', index, 'name'],
          message: `duplicate intent name "${intent.name}"`,
        });
      }
      seen.add(intent.name);
    });
    if (!seen.has(OTHER_INTENT)) {
      context.addIssue({
        code: 'custom',
        path: ['intents'],
        message: `must include an "${OTHER_INTENT}" intent (the answer when no other intent fits)`,
      });
    }
  });

export type Taxonomy = z.infer<typeof taxonomySchema>;
export type TaxonomyIntent = Taxonomy['intents'][number];

/** A taxonomy file that cannot be read or does not match the schema. */
export class TaxonomyError extends ChatmeterError {
  override readonly name = 'TaxonomyError';
  /** The file (or other source) the taxonomy came from. */
  readonly source: string;

  constructor(source: string, problem: string, options?: ErrorOptions) {
    super(`Invalid intent taxonomy ${source}: ${problem}`, options);
    this.source = source;
  }
}

const DEFAULT_TAXONOMY_URL = new URL('./default-taxonomy.json', import.meta.url);

/** Reads and validates a taxonomy file; without a path, the bundled e-commerce taxonomy. */
export function loadTaxonomy(path?: string): Taxonomy {
  const source = path ?? fileURLToPath(DEFAULT_TAXONOMY_URL);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    throw new TaxonomyError(source, `cannot read the file (${describe(error)})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TaxonomyError(source, `not valid JSON (${describe(error)})`, { cause: error });
  }
  return parseTaxonomy(json, source);
}

/** Validates an already-parsed taxonomy; `source` names it in error messages. */
export function parseTaxonomy(json: unknown, source: string): Taxonomy {
  const result = taxonomySchema.safeParse(json);
  if (result.success) return result.data;
  // One problem per field: the first is the actionable one (a string where a
  // list was expected also "has too few entries").
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const path = formatPath(issue.path);
    if (!problems.has(path)) problems.set(path, path === '' ? describeIssue(issue) : `${path}: ${describeIssue(issue)}`);
  }
  throw new TaxonomyError(source, [...problems.values()].join('; '), { cause: result.error });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `is required (${issue.expected})`;
  }
  return issue.message;
}

/** `['intents', 2, 'name']` → `intents[2].name`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
