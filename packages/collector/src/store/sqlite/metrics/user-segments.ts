import type Database from 'better-sqlite3';

/** A user's segment: the trait's current value; traits SQLite cannot read count as no value (→ `unknown`). */
export const TRAIT_OF_USER = `json_extract(CASE WHEN json_valid(u.traits) THEN u.traits END, @traitPath)`;

/** The JSON path of a trait name (metrics/cost.ts admits letters, digits, _ and - only). */
export function traitPath(trait: string): string {
  return `$."${trait}"`;
}

/** A trait's value as SQLite reads it from JSON: text, a number, 0/1 for a boolean, or null. */
export type SegmentValue = string | number | null;

/** Traits whose segments are kept at once; more names (any query may ask for any trait) evict the oldest. */
const KEPT_TRAITS = 8;

interface TraitSegments {
  /** `user_traits_version` when read: any change of any user's traits since makes them stale. */
  version: number;
  /** Per user ordinal, the segment (undefined: no user holds the ordinal). */
  byOrdinal: SegmentValue[];
  /** Ordinals up to here have been read. */
  readThrough: number;
}

/**
 * Each numbered user's segment per trait, kept between queries: reading a
 * trait for every user joins 100,000 ordinals to their users rows (0.1–0.5 s
 * at 10M bench events), which a segment query would otherwise repeat. Kept
 * until migration 018's `user_traits_version` moves (a user's traits changed,
 * a user came with traits or went); users numbered since are read on the way.
 */
export class UserSegments {
  readonly #traits = new Map<string, TraitSegments>();

  /**
   * The segment of each ordinal up to `maxOrdinal`, as of the reader's
   * snapshot: call inside its read transaction.
   */
  byOrdinal(db: Database.Database, trait: string, maxOrdinal: number): readonly SegmentValue[] {
    const version = db.prepare('SELECT version FROM user_traits_version').pluck().get() as number;
    let segments = this.#traits.get(trait);
    if (segments === undefined || segments.version !== version) {
      segments = { version, byOrdinal: [], readThrough: 0 };
      this.#traits.delete(trait);
      this.#traits.set(trait, segments);
      while (this.#traits.size > KEPT_TRAITS) this.#traits.delete(this.#traits.keys().next().value as string);
    }
    if (maxOrdinal > segments.readThrough) {
      const rows = db
        .prepare(
          `SELECT o.ordinal, ${TRAIT_OF_USER} FROM user_ordinals o LEFT JOIN users u ON u.user_key = o.user_key
            WHERE o.ordinal > @after AND o.ordinal <= @through`,
        )
        .raw()
        .all({ after: segments.readThrough, through: maxOrdinal, traitPath: traitPath(trait) }) as [number, SegmentValue][];
      for (const [ordinal, segment] of rows) segments.byOrdinal[ordinal] = segment;
      segments.readThrough = maxOrdinal;
    }
    return segments.byOrdinal;
  }

  /** The segment of a user key with no ordinal yet (a stale quarter's new user). */
  ofUserKey(db: Database.Database, trait: string, userKey: string): SegmentValue {
    const segment = db.prepare(`SELECT ${TRAIT_OF_USER} FROM users u WHERE u.user_key = @userKey`).pluck().get({ userKey, traitPath: traitPath(trait) });
    return (segment as SegmentValue | undefined) ?? null;
  }
}
