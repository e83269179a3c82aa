import { describe, expect, it } from 'vitest';
import { isValidIban, passesLuhn, scrubPii } from './scrub-pii.js';

describe('scrubPii', () => {
  it.each([
    ['mail jane.roe@example.com now', 'mail [email] now'],
    ['card 4111 1111 1111 1111 please', 'card [card] please'],
    ['card 4111-1111-1111-1111', 'card [card]'],
    ['amex 3782 822463 10005 exp 2027', 'amex [card] exp 2027'],
    ['card 4111 1111 1111 1111 2027', 'card [card] 2027'],
    ['iban DE89 3704 0044 0532 0130 00 ok', 'iban [iban] ok'],
    ['call +44 20 7946 0958 today', 'call [phone] today'],
    ['from 192.168.1.20 and 2001:db8::8a2e:370:7334', 'from [ip] and [ip]'],
  ])('%s', (input, expected) => {
    expect(scrubPii(input)).toBe(expected);
  });

  it.each([
    ['card 4111.1111.1111.1111 thanks', 'card [card] thanks'],
    ['card 4111_1111_1111_1111', 'card [card]'],
    ['card4111111111111111', 'card[card]'],
    ['paid with 4111111111111111visa', 'paid with [card]visa'],
    ['カード４１１１１１１１１１１１１１１１です', 'カード[card]です'],
    ['card ４１１１ １１１１ １１１１ １１１１ ok', 'card [card] ok'],
  ])('finds card numbers written with dots, underscores, glued to words or in full-width digits: %s', (input, expected) => {
    expect(scrubPii(input)).toBe(expected);
  });

  it('keeps order numbers whose separators or digits vary but whose checksum fails', () => {
    expect(scrubPii('order 4111.1111.1111.1112 shipped')).toBe('order 4111.1111.1111.1112 shipped');
    expect(scrubPii('ref ORD4111111111111112x')).toBe('ref ORD4111111111111112x');
    expect(scrubPii('注文４１１１１１１１１１１１１１１２')).toBe('注文４１１１１１１１１１１１１１１２');
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
