// Conversations with activity in the last few minutes. Independent of the
// date range (it is always "now"), which is why auto-refresh exists.

import { trafficParams } from '../controls.js';
import { h } from '../dom.js';
import { formatInteger } from '../format.js';

export const LIVE_MINUTES = 5;
const MAX_LISTED = 8;

export const activeConversationsPanel = {
  name: 'active-conversations',
  filters: [],
  load: (fetchMetric, query) => fetchMetric('active-conversations', { minutes: LIVE_MINUTES, ...trafficParams(query) }),
  render(panel, body) {
    const count = typeof body?.count === 'number' ? body.count : 0;
    const conversations = Array.isArray(body?.conversations) ? body.conversations : [];
    // Zero live conversations is an answer, not missing data: the panel is
    // ready and says so.
    panel.slot('live').replaceChildren(
      h('div', { class: 'live-count', 'data-stat': 'active-conversations' },
        h('span', { class: count > 0 ? 'pulse on' : 'pulse', 'aria-hidden': 'true' }),
        h('strong', {}, formatInteger(count)),
        h('span', { class: 'muted' }, count === 1 ? ' conversation' : ' conversations')),
      conversations.length === 0
        ? h('p', { class: 'muted small' }, `Nobody has chatted in the last ${LIVE_MINUTES} minutes.`)
        : h('ul', { class: 'live-list' }, conversations.slice(0, MAX_LISTED).map(renderConversation)),
    );
    return true;
  },
};

/** Items are described by whichever of the known fields the API sends. */
function renderConversation(conversation) {
  if (typeof conversation !== 'object' || conversation === null) return h('li', {}, String(conversation));
  const id = conversation.conversation_id ?? conversation.id ?? '';
  const details = [
    conversation.user ?? conversation.user_id,
    typeof conversation.messages === 'number' ? `${conversation.messages} ${conversation.messages === 1 ? 'message' : 'messages'}` : null,
    relativeTime(conversation.last_message_at ?? conversation.last_message_ms ?? conversation.last_event_at),
  ].filter((part) => part !== undefined && part !== null && part !== '');
  return h('li', {}, h('span', { class: 'mono', title: String(id) }, String(id)), h('span', { class: 'muted small' }, details.join(' · ')));
}

function relativeTime(value) {
  const time = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(time)) return null;
  const seconds = Math.max(0, Math.round((Date.now() - time) / 1000));
  return seconds < 60 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}
