import { eventsMigration } from './001-events.js';
import { classificationMigration } from './002-classification.js';
import { metricRollupsMigration } from './003-metric-rollups.js';
import { eventRollupsMigration } from './004-event-rollups.js';
import { streamingMigration } from './005-streaming-response-ids-delivery.js';
import { firstTouchMigration } from './006-first-touch.js';
import { trafficFlagsMigration } from './007-traffic-flags.js';
import { eventDeletionMigration } from './008-event-deletion.js';
import { rollupMaterializerMigration } from './009-rollup-materializer.js';
import { binaryValueListsMigration } from './010-binary-value-lists.js';
import { userCostRollupMigration } from './011-user-cost-rollup.js';
import { intentFlowDaysMigration } from './012-intent-flow-days.js';
import { leanEventIndexesMigration } from './013-lean-event-indexes.js';
import { quarterListsMigration } from './014-quarter-lists.js';
import { satisfactionRollupMigration } from './015-satisfaction-rollup.js';
import { valueListDaysMigration } from './016-value-list-days.js';
import { contextDictionaryMigration } from './017-context-dictionary.js';
import { userCostListsMigration } from './018-user-cost-lists.js';
import { responseDayRollupMigration } from './019-response-day-rollup.js';
import { userCostWeekListsMigration } from './020-user-cost-week-lists.js';
import { sessionDaysMigration } from './021-session-days.js';
import { quarterListDaysMigration } from './022-quarter-list-days.js';
import { integerValueDaysMigration } from './023-integer-value-days.js';
import { valueBucketsMigration } from './024-value-buckets.js';
import { intentFlowBatchFoldMigration } from './025-intent-flow-batch-fold.js';
import { sdkHealthListsMigration } from './026-sdk-health-lists.js';
import { groupedRollupFoldsMigration } from './027-grouped-rollup-folds.js';
import { groupedResponseFoldsMigration } from './028-grouped-response-folds.js';
import { writeKeyCodesMigration } from './029-write-key-codes.js';
import { anonymousUserKeysMigration } from './030-anonymous-user-keys.js';
import { sessionUserKeysMigration } from './031-session-user-keys.js';
import { eventTimeOffsetsMigration } from './032-event-time-offsets.js';
import { vocabularyColumnsMigration } from './033-vocabulary-columns.js';
import { actionTurnIndexMigration } from './034-action-turn-index.js';
import { eventCodesMigration } from './035-event-codes.js';
import { intentCodesUserIdsMigration } from './036-intent-codes-user-ids.js';
import { unreadUserIndexesMigration } from './037-unread-user-indexes.js';
import { activityUsersOwnMarksMigration } from './038-activity-users-own-marks.js';
import { oneTimeIndexMigration } from './039-one-time-index.js';
import { messageIdBytesMigration } from './040-message-id-bytes.js';
import { sessionConversationIdsMigration } from './041-session-conversation-ids.js';
import { responseTurnIndexMigration } from './042-response-turn-index.js';
import { leanPropertiesMigration } from './043-lean-properties.js';
import { crossDayFlowIndexMigration } from './044-cross-day-flow-index.js';
import { conversationFirstQuartersMigration } from './045-conversation-first-quarters.js';
import { compactListsMigration } from './046-compact-lists.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration in order. Append new ones; never edit a released one. */
export const migrations: readonly Migration[] = [
  eventsMigration,
  classificationMigration,
  metricRollupsMigration,
  eventRollupsMigration,
  streamingMigration,
  firstTouchMigration,
  trafficFlagsMigration,
  eventDeletionMigration,
  rollupMaterializerMigration,
  binaryValueListsMigration,
  userCostRollupMigration,
  intentFlowDaysMigration,
  leanEventIndexesMigration,
  quarterListsMigration,
  satisfactionRollupMigration,
  valueListDaysMigration,
  contextDictionaryMigration,
  userCostListsMigration,
  responseDayRollupMigration,
  userCostWeekListsMigration,
  sessionDaysMigration,
  quarterListDaysMigration,
  integerValueDaysMigration,
  valueBucketsMigration,
  intentFlowBatchFoldMigration,
  sdkHealthListsMigration,
  groupedRollupFoldsMigration,
  groupedResponseFoldsMigration,
  writeKeyCodesMigration,
  anonymousUserKeysMigration,
  sessionUserKeysMigration,
  eventTimeOffsetsMigration,
  vocabularyColumnsMigration,
  actionTurnIndexMigration,
  eventCodesMigration,
  intentCodesUserIdsMigration,
  unreadUserIndexesMigration,
  activityUsersOwnMarksMigration,
  oneTimeIndexMigration,
  messageIdBytesMigration,
  sessionConversationIdsMigration,
  responseTurnIndexMigration,
  leanPropertiesMigration,
  crossDayFlowIndexMigration,
  conversationFirstQuartersMigration,
  compactListsMigration,
];
