import { describe, expect, it } from 'vitest';
import { idFromStored, storedId, withIdsAsSent } from './session-conversation-ids.js';

const UUID = '01890a5d-ac96-774b-bcce-b302099a8057';

describe('session and conversation ids as stored', () => {
  it('stores a canonical lowercase UUID in 23 characters and reads it back', () => {
    const stored = storedId(UUID);
    expect(stored).toBe(`~${Buffer.from(UUID.replaceAll('-', ''), 'hex').toString('base64url')}`);
    expect(stored).toHaveLength(23);
    expect(idFromStored(stored)).toBe(UUID);
  });

  it('keeps every other id as its text, with one more ~ in front of an id that starts with ~', () => {
    for (const id of [UUID.toUpperCase(), `{${UUID}}`, UUID.replaceAll('-', ''), `${UUID} `, 's-1', '', 'c_42', 'a~b']) {
      expect(storedId(id)).toBe(id);
      expect(idFromStored(id)).toBe(id);
    }
    for (const id of ['~', '~x', '~~x', `~${storedId(UUID)}`, storedId(UUID)]) {
      expect(storedId(id)).toBe(`~${id}`);
      expect(idFromStored(storedId(id))).toBe(id);
    }
  });

  it('gives distinct ids distinct stored forms (one-to-one), so grouping by the stored form is grouping by the id', () => {
    const ids = [UUID, storedId(UUID), `~${storedId(UUID)}`, UUID.toUpperCase(), '~', '~~', '~~~', 's-1', '~s-1', '~~s-1'];
    const stored = ids.map(storedId);
    expect(new Set(stored).size).toBe(ids.length);
    expect(stored.map(idFromStored)).toEqual(ids);
  });

  it('refuses a stored value that is neither an id nor an encoded UUID', () => {
    expect(() => idFromStored('~short')).toThrow(/migration 041/);
  });

  it('puts a whole row back as sent', () => {
    const row = { id: 1, session_id: storedId(UUID), conversation_id: null };
    expect(withIdsAsSent(row)).toEqual({ id: 1, session_id: UUID, conversation_id: null });
  });
});
