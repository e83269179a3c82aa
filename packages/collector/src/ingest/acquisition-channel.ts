import { asRecord } from './json-values.js';

/**
 * The acquisition channel an event's context tells of, or null when it tells
 * of none: `context.campaign.source` (utm_source) lowercased, else the
 * referrer's domain — `context.campaign.referrer` as the Chatmeter SDK sends
 * it, else the host of a Segment client's `context.page.referrer` when it is
 * another site than the page's own (a link inside the site is no acquisition).
 * A user's channel is the one of their earliest event that has one (their
 * first touch), else `direct` (metrics/breakdown.ts).
 *
 * @example acquisitionChannel({ campaign: { source: 'Newsletter' } }) // 'newsletter'
 */
export function acquisitionChannel(context: Record<string, unknown>): string | null {
  const campaign = asRecord(context['campaign']);
  const source = cleanName(campaign['source']);
  if (source !== null) return source;
  const referrer = cleanName(campaign['referrer']);
  if (referrer !== null) return withoutWww(referrer);
  const page = asRecord(context['page']);
  const referrerHost = hostOf(page['referrer']);
  return referrerHost !== null && referrerHost !== hostOf(page['url']) ? withoutWww(referrerHost) : null;
}

/** Channels are compared case-insensitively (`Google` and `google` are one) and kept short. */
function cleanName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const name = value.trim().toLowerCase().slice(0, 256);
  return name === '' ? null : name;
}

function withoutWww(domain: string): string {
  return domain.startsWith('www.') ? domain.slice(4) : domain;
}

function hostOf(url: unknown): string | null {
  if (typeof url !== 'string' || url === '') return null;
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === '' ? null : host;
  } catch {
    return null;
  }
}
