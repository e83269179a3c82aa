import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { METRIC_ENDPOINTS } from '../src/metrics/metric-catalog.js';

/**
 * "Model and intent filters apply to every panel they can": a panel takes a
 * dashboard filter exactly when every metric it loads supports it (the
 * others say "All models" / "All intents"). Each panel's `load` is run with a
 * recording client to learn which metrics it asks for.
 */

const PANELS_DIR = fileURLToPath(new URL('../src/dashboard/panels/', import.meta.url));
const DASHBOARD_FILTERS = ['model', 'intent'];

interface PanelDefinition {
  name: string;
  filters: string[];
  load(fetchMetric: (path: string, query: Record<string, string>) => Promise<unknown>, query: Record<string, string>, panel: unknown): Promise<unknown>;
}

async function panelDefinitions(): Promise<PanelDefinition[]> {
  const definitions: PanelDefinition[] = [];
  for (const file of readdirSync(PANELS_DIR).filter((name) => name.endsWith('.js'))) {
    const module = (await import(`${PANELS_DIR}${file}`)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value === 'object' && value !== null && 'load' in value && 'filters' in value) definitions.push(value as PanelDefinition);
    }
  }
  return definitions;
}

/** The metric paths a panel's load asks for. */
async function metricsLoadedBy(definition: PanelDefinition): Promise<string[]> {
  const paths: string[] = [];
  const fetchMetric = async (path: string) => {
    paths.push(path);
    return {};
  };
  // Panels with controls of their own read them from the panel; an empty stand-in gives their defaults.
  const element = { value: '', checked: false, dataset: {}, addEventListener: () => undefined };
  const panel = new Proxy({}, { get: () => () => element });
  await definition.load(fetchMetric, { from: '2026-03-01', to: '2026-03-30', tz: 'UTC' }, panel).catch(() => undefined);
  return paths;
}

describe('dashboard panels and filters', () => {
  it('gives every panel the model and intent filters that all of its metrics support, and no others', async () => {
    const definitions = await panelDefinitions();
    expect(definitions.length).toBeGreaterThanOrEqual(14);
    for (const definition of definitions) {
      const paths = await metricsLoadedBy(definition);
      expect(paths.length, `panel ${definition.name} loads no metric`).toBeGreaterThan(0);
      const supported = DASHBOARD_FILTERS.filter((filter) =>
        paths.every((path) => {
          const endpoint = METRIC_ENDPOINTS.find((metric) => metric.path === path);
          expect(endpoint, `panel ${definition.name} loads unknown metric ${path}`).toBeDefined();
          return (endpoint?.filters as readonly string[]).includes(filter);
        }),
      );
      expect([...definition.filters].sort(), `panel ${definition.name} (metrics ${paths.join(', ')})`).toEqual(supported.sort());
    }
  });
});
