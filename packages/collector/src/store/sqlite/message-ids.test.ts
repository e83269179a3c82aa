import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { canonicalUuidTextSql, messageIdFromStored, storedMessageId } from './message-ids.js';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('message ids as stored', () => {
  it('stores a canonical lowercase UUID as its 16 bytes and reads it back', () => {
    const stored = storedMessageId(UUID);
    expect(stored).toEqual(Buffer.from('0f8fad5bd9cb469fa16570867728950e', 'hex'));
    expect(messageIdFromStored(stored)).toBe(UUID);
    // As better-sqlite3 returns a BLOB.
    expect(messageIdFromStored(new Uint8Array(stored as Buffer))).toBe(UUID);
  });

  it('keeps every other id as its text', () => {
    for (const id of [UUID.toUpperCase(), `{${UUID}}`, UUID.replaceAll('-', ''), `${UUID} `, 'm-1', '', 'ajs-next-1714650000000-abc']) {
      expect(storedMessageId(id)).toBe(id);
      expect(messageIdFromStored(id)).toBe(id);
    }
  });

  it('has the migration convert exactly the ids the writer encodes', () => {
    const db = new Database(':memory:');
    try {
      const ids = [UUID, UUID.toUpperCase(), UUID.slice(1), `${UUID}0`, UUID.replace('-', '_'), 'm-1', '01890a5d-ac96-774b-bcce-b302099a8057'];
      const matches = db.prepare(`SELECT ${canonicalUuidTextSql('@id')} AS canonical`).pluck();
      for (const id of ids) expect(matches.get({ id }) === 1, id).toBe(typeof storedMessageId(id) !== 'string');
      expect(db.prepare("SELECT unhex(replace(?, '-', ''))").pluck().get(UUID)).toEqual(storedMessageId(UUID));
    } finally {
      db.close();
    }
  });
});
