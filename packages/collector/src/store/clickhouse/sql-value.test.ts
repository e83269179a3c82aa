import { describe, expect, it } from 'vitest';
import { sqlIdentifier, sqlList, sqlValue } from './sql-value.js';

describe('sqlValue', () => {
  it('quotes a plain string', () => {
    expect(sqlValue('gpt-a')).toBe("'gpt-a'");
  });

  it('escapes single quotes, back quotes and backslashes', () => {
    expect(sqlValue("it's")).toBe("'it\\'s'");
    expect(sqlValue('a\\b')).toBe("'a\\\\b'");
    expect(sqlValue("\\'")).toBe("'\\\\\\''");
    expect(sqlValue('`x`')).toBe("'\\`x\\`'");
  });

  it('escapes NUL and the control characters ClickHouse has escapes for', () => {
    expect(sqlValue('a\0b')).toBe("'a\\0b'");
    expect(sqlValue('line\nnext\r\ttab\b\f')).toBe("'line\\nnext\\r\\ttab\\b\\f'");
  });

  it('passes unicode through unchanged', () => {
    expect(sqlValue('café 東京 🙂')).toBe("'café 東京 🙂'");
  });

  it('writes an empty string as two quotes', () => {
    expect(sqlValue('')).toBe("''");
  });

  it('writes numbers as JavaScript does and rejects non-finite ones', () => {
    expect(sqlValue(42)).toBe('42');
    expect(sqlValue(-0.125)).toBe('-0.125');
    expect(sqlValue(1e21)).toBe('1e+21');
    expect(() => sqlValue(Number.NaN)).toThrow(/only finite numbers/);
    expect(() => sqlValue(Number.POSITIVE_INFINITY)).toThrow(TypeError);
  });

  it('writes null as NULL and booleans as 1 and 0', () => {
    expect(sqlValue(null)).toBe('NULL');
    expect(sqlValue(true)).toBe('1');
    expect(sqlValue(false)).toBe('0');
  });

  it('writes arrays, nested ones included', () => {
    expect(sqlValue(['a', "b'c", null, 3])).toBe("['a', 'b\\'c', NULL, 3]");
    expect(sqlValue([[1, 2], []])).toBe('[[1, 2], []]');
  });
});

describe('sqlList', () => {
  it('writes a parenthesised list for IN', () => {
    expect(sqlList(['m-1', "m'2"])).toBe("('m-1', 'm\\'2')");
  });

  it('writes an empty list as one that matches nothing', () => {
    expect(sqlList([])).toBe('(NULL)');
  });
});

describe('sqlIdentifier', () => {
  it('back-quotes names and escapes back quotes inside them', () => {
    expect(sqlIdentifier('chatmeter')).toBe('`chatmeter`');
    expect(sqlIdentifier('odd`name')).toBe('`odd\\`name`');
  });

  it('rejects an empty name', () => {
    expect(() => sqlIdentifier('')).toThrow(/cannot be empty/);
  });
});
