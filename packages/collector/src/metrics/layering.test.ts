import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const THIS_FILE = fileURLToPath(import.meta.url);
const METRICS_DIRECTORY = dirname(THIS_FILE);
const HTTP_DIRECTORY = resolve(METRICS_DIRECTORY, '..', 'http');

/** Every `.ts` file under `directory`, tests included (a test importing Express would pull it in as well). */
function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Specifiers of static imports and re-exports (`… from '…'`, `import '…'`) and of dynamic `import('…')`. */
function importSpecifiers(source: string): string[] {
  const pattern = /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...source.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

/** Why `specifier`, imported by `file`, breaks the layering; null when it does not. */
function layeringViolation(file: string, specifier: string): string | null {
  if (specifier === 'express' || specifier.startsWith('express/')) return 'imports express';
  if (!specifier.startsWith('.')) return null;
  const target = resolve(dirname(file), specifier);
  const fromHttp = relative(HTTP_DIRECTORY, target);
  return fromHttp.startsWith('..') ? null : `imports ${specifier} from src/http`;
}

describe('the metrics layer', () => {
  it('finds the import specifiers it checks', () => {
    const source = [
      "import { Router } from 'express';",
      "import type { HttpError } from '../http/http-error.js';",
      "export { toCsv } from './csv.js';",
      "import './side-effect.js';",
      "const lazy = await import('../http/auth.js');",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['express', '../http/http-error.js', './csv.js', './side-effect.js', '../http/auth.js']);
  });

  it('imports neither express nor anything under src/http: metric code knows no HTTP', () => {
    // This file is left out: its own sample imports are strings, not imports.
    const files = sourceFiles(METRICS_DIRECTORY).filter((file) => file !== THIS_FILE);
    expect(files.length).toBeGreaterThan(20);
    const violations = files.flatMap((file) =>
      importSpecifiers(readFileSync(file, 'utf8')).flatMap((specifier) => {
        const why = layeringViolation(file, specifier);
        return why === null ? [] : [`src/metrics/${relative(METRICS_DIRECTORY, file)} ${why}`];
      }),
    );
    expect(violations).toEqual([]);
  });
});
