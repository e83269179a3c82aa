// @vitest-environment node
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;
/**
 * Files allowed to name host globals: global-scope.ts, and the inline
 * snippet, which is pasted into pages, is built on its own (ES5) and runs
 * before any of the SDK exists.
 */
const ALLOWED = ['global-scope.ts', 'snippet.js'];
/** The host's globals. */
const HOST_GLOBALS = ['window', 'document', 'navigator', 'location', 'globalThis', 'self', 'localStorage', 'sessionStorage', 'indexedDB', 'addEventListener'];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[jt]s$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Code without comments and string contents, so `// the window` or `'localStorage'` are not references. */
function codeOnly(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, (match) =>
    match.startsWith('/') ? '' : '""',
  );
}

/** Bare references: not a property (`x.location`) nor an object key (`{ location: … }`). */
export function hostGlobalReferences(source: string): string[] {
  const pattern = new RegExp(`(?<![.\\w$#])(${HOST_GLOBALS.join('|')})\\b(?!\\s*:(?!:))`, 'g');
  return [...codeOnly(source).matchAll(pattern)].map((match) => match[1]!);
}

describe('the global-scope fence', () => {
  it('finds bare references to host globals, and ignores comments, strings and properties', () => {
    expect(hostGlobalReferences(`window.addEventListener('x', f); const s = self;`)).toEqual(['window', 'self']);
    expect(hostGlobalReferences(`// window\nconst key = 'localStorage'; page.location; ({ document: 1 });`)).toEqual([]);
    expect(hostGlobalReferences('typeof indexedDB !== "undefined" && globalThis.navigator')).toEqual(['indexedDB', 'globalThis']);
  });

  it('lets no file of src/ but global-scope.ts touch window, document, navigator, location, storage or IndexedDB', () => {
    const offenders = sourceFiles(SRC)
      .filter((path) => !ALLOWED.includes(relative(SRC, path)))
      .flatMap((path) => hostGlobalReferences(readFileSync(path, 'utf8')).map((name) => `${relative(SRC, path)}: ${name}`));
    expect(offenders).toEqual([]);
  });
});
