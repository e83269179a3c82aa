import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTaxonomy, parseTaxonomy, TaxonomyError, type Taxonomy } from './taxonomy.js';

function intent(name: string, examples: string[] = [`an example prompt for ${name}`]): Taxonomy['intents'][number] {
  return { name, description: `Prompts about ${name}.`, examples };
}

function validTaxonomy(): Taxonomy {
  return {
    intents: ['orders', 'returns', 'billing', 'accounts', 'products'].map((name) => intent(name)).concat(intent('other', [])),
  };
}

function problemOf(json: unknown): string {
  try {
    parseTaxonomy(json, 'custom.json');
  } catch (error) {
    expect(error).toBeInstanceOf(TaxonomyError);
    return (error as TaxonomyError).message;
  }
  throw new Error('expected the taxonomy to be rejected');
}

function writeTemporaryFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'chatmeter-taxonomy-')), 'taxonomy.json');
  writeFileSync(path, content);
  return path;
}

describe('loadTaxonomy', () => {
  it('loads the bundled e-commerce taxonomy by default', () => {
    const taxonomy = loadTaxonomy();
    expect(taxonomy.intents.map((entry) => entry.name)).toEqual([
      'product_inquiry',
      'support_shipping',
      'support_returns',
      'technical_support',
      'account_management',
      'billing_payment',
      'other',
    ]);
    for (const entry of taxonomy.intents) {
      expect(entry.examples.length).toBeLessThanOrEqual(30);
      expect(entry.keywords?.length ?? 0).toBeGreaterThan(0);
    }
  });

  it('loads a taxonomy from a given path', () => {
    const path = writeTemporaryFile(JSON.stringify(validTaxonomy()));
    expect(loadTaxonomy(path).intents).toHaveLength(6);
  });

  it('names the file and the parse error when the JSON is malformed', () => {
    const path = writeTemporaryFile('{ "intents": [ ');
    expect(() => loadTaxonomy(path)).toThrow(TaxonomyError);
    expect(() => loadTaxonomy(path)).toThrow(new RegExp(`${path}.*not valid JSON`));
  });

  it('names the file when it cannot be read', () => {
    const missing = join(tmpdir(), 'chatmeter-no-such-taxonomy.json');
    expect(() => loadTaxonomy(missing)).toThrow(/chatmeter-no-such-taxonomy\.json: cannot read the file/);
  });

  it('names the file when its content is invalid', () => {
    const taxonomy = validTaxonomy();
    taxonomy.intents[1] = intent('Returns');
    const path = writeTemporaryFile(JSON.stringify(taxonomy));
    expect(() => loadTaxonomy(path)).toThrow(`Invalid intent taxonomy ${path}: intents[1].name: must be snake_case`);
  });
});

describe('parseTaxonomy', () => {
  it('accepts 5 intents plus other, with optional keywords', () => {
    const taxonomy = validTaxonomy();
    taxonomy.intents[0] = { ...intent('orders'), keywords: ['order', 'track'] };
    expect(parseTaxonomy(taxonomy, 'custom.json')).toEqual(taxonomy);
  });

  it('rejects a name that is not snake_case, naming the entry', () => {
    const taxonomy = validTaxonomy();
    taxonomy.intents[2] = intent('Billing-Payment');
    expect(problemOf(taxonomy)).toContain('custom.json: intents[2].name: must be snake_case');
  });

  it('rejects duplicate names', () => {
    const taxonomy = validTaxonomy();
    taxonomy.intents[3] = intent('orders');
    expect(problemOf(taxonomy)).toContain('intents[3].name: duplicate intent name "orders"');
  });

  it('requires an other intent', () => {
    const taxonomy = validTaxonomy();
    taxonomy.intents[5] = intent('shipping');
    expect(problemOf(taxonomy)).toContain('must include an "other" intent');
  });

  it('rejects fewer than 5 intents besides other', () => {
    const taxonomy = validTaxonomy();
    taxonomy.intents.splice(0, 1);
    expect(problemOf(taxonomy)).toContain('intents: must hold 5–10 intents plus "other"');
  });

  it('rejects more than 10 intents besides other', () => {
    const names = Array.from({ length: 11 }, (_, index) => `intent_${index}`);
    expect(problemOf({ intents: [...names.map((name) => intent(name)), intent('other')] })).toContain(
      'must hold 5–10 intents plus "other"',
    );
  });

  it('rejects more than 30 examples', () => {
    const taxonomy = validTaxonomy();
    taxonomy.intents[0] = intent('orders', Array.from({ length: 31 }, (_, index) => `example ${index}`));
    expect(problemOf(taxonomy)).toContain('intents[0].examples: must hold at most 30 examples');
  });

  it('rejects a missing description and a non-array intents field', () => {
    const taxonomy = validTaxonomy() as { intents: Array<Record<string, unknown>> };
    delete taxonomy.intents[4]?.['description'];
    expect(problemOf(taxonomy)).toContain('intents[4].description');
    expect(problemOf({ intents: 'orders' })).toContain('intents:');
    expect(problemOf(null)).toContain('custom.json');
  });
});
