// Sessions and conversations in the range, as a short list of numbers.

import { h } from '../dom.js';
import { formatDecimal, formatDuration, formatInteger, formatPercent } from '../format.js';

export const engagementPanel = {
  name: 'engagement',
  filters: [],
  async load(fetchMetric, query) {
    const [sessions, conversations] = await Promise.all([fetchMetric('sessions', query), fetchMetric('conversations', query)]);
    return { sessions, conversations };
  },
  render(panel, { sessions, conversations }) {
    if (!((sessions?.sessions ?? 0) > 0 || (conversations?.conversations ?? 0) > 0)) return false;
    // single_prompt_share is a 0–1 ratio: sessions in which the user sent one prompt and left.
    const share = sessions.single_prompt_share;
    const sharePercent = typeof share === 'number' ? share * 100 : share;
    const stats = [
      ['sessions', 'Sessions', formatInteger(sessions.sessions)],
      ['sessions-per-user', 'Sessions per user', formatDecimal(sessions.sessions_per_user)],
      ['median-duration', 'Median session', formatDuration(sessions.median_duration_seconds)],
      ['avg-messages', 'Messages per session', formatDecimal(sessions.avg_messages)],
      ['avg-prompts', 'Prompts per session', formatDecimal(sessions.avg_prompts)],
      ['single-prompt-share', 'Single-prompt sessions', formatPercent(sharePercent)],
      ['conversations', 'Conversations', formatInteger(conversations?.conversations)],
      ['conversations-per-user', 'Conversations per user', formatDecimal(conversations?.conversations_per_user)],
      ['prompts-per-conversation', 'Prompts per conversation', formatDecimal(conversations?.avg_prompts_per_conversation)],
    ];
    panel.slot('stats').replaceChildren(...stats.map(([key, label, value]) => h('div', { class: 'stat', 'data-stat': key }, h('dt', {}, label), h('dd', {}, value))));
    return true;
  },
};
