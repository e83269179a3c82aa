import { pageGlobals } from './global-scope.js';
import { readJson, type KeyValueStorage } from './storage.js';

/** localStorage key of the first touch, kept for the life of the browser profile. */
export const CAMPAIGN_KEY = 'chatmeter_campaign';
/** utm_<name> → context.campaign field, as Segment names them (`utm_campaign` is `name`). */
const UTM_FIELDS = [['source', 'source'], ['medium', 'medium'], ['campaign', 'name'], ['term', 'term'], ['content', 'content']];

/**
 * The browser's first touch as Segment's `context.campaign`: the utm_*
 * parameters of the first page the SDK ran on, and `referrer`, the domain
 * (never the URL) of another site that linked to it. Only these parameters are
 * read from the query; the rest of it stays private (page-context.ts). Stored
 * at once, even when empty, so that a later visit from a campaign does not
 * replace a direct first visit; sent on every event so that the collector can
 * keep each user's earliest one. Undefined when empty or outside a browser.
 */
export function firstTouchCampaign(storage: KeyValueStorage): Record<string, string> | undefined {
  let campaign = readJson<Record<string, string>>(storage, CAMPAIGN_KEY);
  const page = pageGlobals();
  if (campaign === null && page !== undefined) {
    campaign = {};
    const query = new URLSearchParams(page.location.search);
    for (const [utm, field] of UTM_FIELDS) {
      const value = query.get(`utm_${utm}`);
      if (value) campaign[field!] = value;
    }
    try {
      const referrer = new URL(page.document.referrer).hostname;
      if (referrer !== page.location.hostname) campaign['referrer'] = referrer;
    } catch {
      // no referrer (typed in, bookmark) or not a URL
    }
    storage.set(CAMPAIGN_KEY, JSON.stringify(campaign));
  }
  return campaign !== null && Object.keys(campaign).length > 0 ? campaign : undefined;
}
