import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shared labelled dev set (350 support prompts) lives outside the
 * repository, in `shared/data/` next to the checkout; `CHATMETER_INTENTS_DEV_SET`
 * points elsewhere. CI always has it: there a missing file fails the run
 * instead of skipping the accuracy floor.
 */
export const DEV_SET_PATH =
  process.env['CHATMETER_INTENTS_DEV_SET'] ?? fileURLToPath(new URL('../../../../../shared/data/intents-dev.jsonl', import.meta.url));

export function devSetAvailable(): boolean {
  if (existsSync(DEV_SET_PATH)) return true;
  const message = `Intent dev set not found at ${DEV_SET_PATH}; set CHATMETER_INTENTS_DEV_SET to its path.`;
  if (process.env['CI']) throw new Error(message);
  console.warn(`\n!!! ${message}\n!!! SKIPPING the classifier accuracy tests.\n`);
  return false;
}
