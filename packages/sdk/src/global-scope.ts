/**
 * The only file that touches the host's globals (window, document, navigator,
 * location, storage, IndexedDB, event listeners). Everything else is
 * isomorphic: in Node every function here answers "not a browser" and the
 * SDK runs on memory and fetch. A test fails when another file of src/
 * references one of these globals.
 */

type Scope = typeof globalThis & Partial<Window>;
const scope = globalThis as Scope;

/** `localStorage` / `sessionStorage`, or undefined when missing or disabled (access itself throws then). */
export function webStorageArea(kind: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    return scope[kind] ?? undefined;
  } catch {
    return undefined;
  }
}

/** Whether IndexedDB exists; idb-keyval opens it through the same global. */
export function hasIndexedDb(): boolean {
  return typeof scope.indexedDB !== 'undefined';
}

export function isOffline(): boolean {
  return scope.navigator?.onLine === false;
}

/** Web Locks, when the browser has them (not in Node, not in old Safari). */
export function webLocks(): LockManager | undefined {
  return scope.navigator?.locks;
}

/** The query string of the page (`?chatmeter_debug=1`), empty outside a browser. */
export function pageSearch(): string {
  return scope.location?.search ?? '';
}

/** The script-tag entry's home: `window.chatmeter`. */
export function scriptTagScope(): { chatmeter?: unknown } {
  return scope as { chatmeter?: unknown };
}

/** The page's `location` and `document`, which page context is read from; undefined outside a browser. */
export function pageGlobals(): { location: Location; document: Document } | undefined {
  const { location, document } = scope;
  return location === undefined || document === undefined ? undefined : { location, document };
}

/**
 * The browser's language and user agent, and `webdriver: true` when
 * automation drives it (the collector counts such traffic as bots); undefined
 * outside a browser.
 */
export function browserContext(): { locale: string; userAgent: string; webdriver: true | undefined } | undefined {
  const navigator = scope.navigator;
  // undefined, not false: JSON leaves the field out for a person's browser.
  return navigator && { locale: navigator.language, userAgent: navigator.userAgent, webdriver: navigator.webdriver || undefined };
}

export interface PageLifecycle {
  /** The browser came back online. */
  online(): void;
  /** The page was hidden or is unloading: the last moment that is sure to run. */
  hidden(): void;
}

/** Listens to the page's lifecycle; returns the function that stops listening. Does nothing outside a browser. */
export function onPageLifecycle(lifecycle: PageLifecycle): () => void {
  const { document } = scope;
  if (typeof scope.addEventListener !== 'function' || document === undefined) return () => undefined;
  // One signal removes every listener.
  const listening = new AbortController();
  const options = { signal: listening.signal };
  scope.addEventListener('online', () => lifecycle.online(), options);
  scope.addEventListener('pagehide', () => lifecycle.hidden(), options);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && lifecycle.hidden(), options);
  return () => listening.abort();
}

/**
 * A request that outlives the page: fetch(keepalive), else sendBeacon.
 * text/plain keeps it "simple": no CORS preflight that the unload could cut off.
 */
export function sendKeepalive(url: string, body: string): void {
  try {
    void fetch(url, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain' } }).catch(() => undefined);
  } catch {
    scope.navigator?.sendBeacon?.(url, new Blob([body], { type: 'text/plain' }));
  }
}
