import type { Migration } from './migration.js';

/** A campaign field of an event's context as a channel name (lowercased, trimmed, at most 256 characters), or NULL. */
function campaignFieldSql(field: string): string {
  const value = `lower(trim(json_extract(context, '$.campaign.${field}')))`;
  return `CASE WHEN json_type(context, '$.campaign.${field}') = 'text' AND ${value} <> '' THEN substr(${value}, 1, 256) END`;
}

/** An event NEW naming a channel becomes its user's first touch when it is earlier (then lower id) than theirs. */
export const FIRST_TOUCH_ON_INSERT = `INSERT INTO user_first_touch (user_key, ts, event_id, channel) VALUES (NEW.user_key, NEW.ts, NEW.id, NEW.channel)
        ON CONFLICT (user_key) DO UPDATE SET ts = excluded.ts, event_id = excluded.event_id, channel = excluded.channel
         WHERE (excluded.ts, excluded.event_id) < (user_first_touch.ts, user_first_touch.event_id);`;

/**
 * The first touch of every user: their earliest event (then lowest id) that
 * names an acquisition channel (`events.channel`, set at ingest by
 * ingest/acquisition-channel.ts). As in migration 003, triggers keep it inside
 * the ingest transaction and follow identify/alias relabels: the merged user
 * keeps the earlier of both touches, and the old key's touch is recomputed
 * from the events it still owns. Events stored before this migration are
 * backfilled from `context.campaign` (source, else referrer); a Segment
 * client's `context.page.referrer` URL is only read at ingest, where the URL
 * parser lives.
 */
export const firstTouchMigration: Migration = {
  version: 6,
  name: 'acquisition channel and first touch per user',
  sql: `
    ALTER TABLE events ADD COLUMN channel TEXT;
    CREATE INDEX events_user_channel ON events (user_key, ts, id) WHERE channel IS NOT NULL;

    CREATE TABLE user_first_touch (
      user_key TEXT    PRIMARY KEY,
      ts       INTEGER NOT NULL,
      event_id INTEGER NOT NULL,
      channel  TEXT    NOT NULL
    ) WITHOUT ROWID;

    UPDATE events
       SET channel = COALESCE(${campaignFieldSql('source')},
                              CASE WHEN ${campaignFieldSql('referrer')} LIKE 'www.%' THEN substr(${campaignFieldSql('referrer')}, 5)
                                   ELSE ${campaignFieldSql('referrer')} END)
     WHERE json_valid(context) AND json_type(context, '$.campaign') = 'object';
    INSERT INTO user_first_touch (user_key, ts, event_id, channel)
      SELECT user_key, ts, id, channel
        FROM (SELECT user_key, ts, id, channel, ROW_NUMBER() OVER (PARTITION BY user_key ORDER BY ts, id) AS rank
                FROM events WHERE channel IS NOT NULL)
       WHERE rank = 1;

    CREATE TRIGGER events_first_touch_insert AFTER INSERT ON events
    WHEN NEW.channel IS NOT NULL
    BEGIN
      ${FIRST_TOUCH_ON_INSERT}
    END;

    -- identify/alias relabels earlier events: the touch moves to the new key if it is earlier than the key's own
    CREATE TRIGGER events_first_touch_relabel AFTER UPDATE OF user_key ON events
    WHEN OLD.user_key IS NOT NEW.user_key AND NEW.channel IS NOT NULL
    BEGIN
      INSERT INTO user_first_touch (user_key, ts, event_id, channel) VALUES (NEW.user_key, NEW.ts, NEW.id, NEW.channel)
        ON CONFLICT (user_key) DO UPDATE SET ts = excluded.ts, event_id = excluded.event_id, channel = excluded.channel
         WHERE (excluded.ts, excluded.event_id) < (user_first_touch.ts, user_first_touch.event_id);
      DELETE FROM user_first_touch WHERE user_key = OLD.user_key AND event_id = NEW.id;
      INSERT OR IGNORE INTO user_first_touch (user_key, ts, event_id, channel)
        SELECT user_key, ts, id, channel FROM events
         WHERE user_key = OLD.user_key AND channel IS NOT NULL
         ORDER BY ts, id LIMIT 1;
    END;
  `,
};
