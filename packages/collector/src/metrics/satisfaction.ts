import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { labelKey } from './group-labels.js';
import { defineMetric } from './metric-endpoint.js';
import { ratio, roundTo } from './round.js';

/**
 * Feedback (`ai_user_action` with action_details.feedback_type) per intent or
 * model. ratings = numeric ratings, avg_rating their mean (2 decimals);
 * thumbs = thumbs feedback, thumbs_up_rate = ups / thumbs (0–1). Both are null
 * in a group that has none of that kind. An action's model is its own, else
 * the model of the response of the same turn.
 */
export const satisfactionMetric = defineMetric({
  path: 'satisfaction',
  filters: ['model', 'intent', 'conversation_id'],
  params: z.object({
    group_by: z.enum(['intent', 'model'], { error: 'must be intent or model' }).default('intent'),
  }),
  async compute({ source, scope, params }) {
    const groups = (await source.satisfaction(scope, params.group_by))
      .map((group) => ({
        key: labelKey(group.key, params.group_by),
        ratings: group.ratings,
        avg_rating: group.ratings === 0 ? null : roundTo(group.ratingSum / group.ratings, 2),
        thumbs: group.thumbs,
        thumbs_up_rate: group.thumbs === 0 ? null : ratio(group.thumbsUp, group.thumbs),
      }))
      .sort((a, b) => b.ratings + b.thumbs - (a.ratings + a.thumbs) || a.key.localeCompare(b.key));
    return { body: groups, csv: csvFromRecords(['key', 'ratings', 'avg_rating', 'thumbs', 'thumbs_up_rate'], groups) };
  },
});
