import { describe, expect, it } from 'vitest';
import { isValidIban, passesLuhn, scrubPii } from './scrub-pii.js';

describe('scrubPii', () => {
  it.each([
    ['mail jane.roe@example.com now', 'mail [email] now'],
    ['card 4111 1111 1111 1111 please', 'card [card] please'],
    ['card 4111-1111-1111-1111', 'card [card]'],
    ['iban DE89 3704 0044 0532 0130 00 ok', 'iban [iban] ok'],
    ['call +44 20 7946 0958 today', 'call [phone] today'],
    ['from 192.168.1.20 and 2001:db8::8a2e:370:7334', 'from [ip] and [ip]'],
  ])('%s', (input, expected) => {
    expect(scrubPii(input)).toBe(expected);
  });

  it('keeps numbers that are not personal data (checksums fail)', () => {
    expect(scrubPii('order 4111 1111 1111 1112 arrived')).toBe('order 4111 1111 1111 1112 arrived');
    expect(scrubPii('order #12345 costs 30 dollars')).toBe('order #12345 costs 30 dollars');
  });

  it('checks Luhn and IBAN checksums', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(isValidIban('DE89370400440532013000')).toBe(true);
    expect(isValidIban('DE89370400440532013001')).toBe(false);
  });
});
