import type { ResolvedOptions } from './options.js';
import { SDK_VERSION } from './version.js';

/**
 * Segment-style context of the page an event happened on. Query strings and
 * fragments routinely carry emails, reset tokens and search terms, and page
 * titles carry order or customer names, so by default neither leaves the
 * browser: `url` and `referrer` are cut at the first `?` or `#`, `path` is
 * the pathname (never a query) and there is no `title` or `search`.
 * `keepPageQuery` / `keepPageTitle` opt back in.
 */
export function pageContext(options: Pick<ResolvedOptions, 'keepPageQuery' | 'keepPageTitle'>): Record<string, unknown> {
  const context: Record<string, unknown> = { library: { name: '@chatmeter/sdk', version: SDK_VERSION } };
  try {
    context['timezone'] = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (typeof navigator !== 'undefined') {
      context['locale'] = navigator.language;
      context['userAgent'] = navigator.userAgent;
    }
    if (typeof location !== 'undefined' && typeof document !== 'undefined') {
      const keep = options.keepPageQuery;
      const page: Record<string, string> = {
        url: keep ? location.href : withoutQuery(location.href),
        path: location.pathname,
        referrer: keep ? document.referrer : withoutQuery(document.referrer),
      };
      if (keep) page['search'] = location.search;
      if (options.keepPageTitle) page['title'] = document.title;
      context['page'] = page;
    }
  } catch {
    // context is best effort
  }
  return context;
}

/** `https://shop.example/a?b#c` → `https://shop.example/a`. */
export function withoutQuery(url: string): string {
  return url.split(/[?#]/, 1)[0]!;
}
