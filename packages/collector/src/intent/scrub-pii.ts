import { isIPv6 } from 'node:net';

/**
 * Replaces personal data in free text with placeholders before a text is
 * kept (debug-mode events and dev write keys only). Card numbers and IBANs
 * are replaced only when their checksum holds, so order numbers survive.
 */

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const IBAN = /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b/g;
/**
 * A run of 13 or more digits (ASCII or full-width) with at most one space,
 * dot, dash or underscore between two digits. Letters may touch it (`card4111…`,
 * `…1111visa`): only digits bound a run, so a number is never split in two.
 */
const DIGIT_RUN = /(?<![0-9\uFF10-\uFF19])[0-9\uFF10-\uFF19](?:[ \u3000._-]?[0-9\uFF10-\uFF19]){12,}/g;
const SEPARATOR = /([ \u3000._-])/;
const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g;
/** Candidates only; `isIPv6` decides (compressed forms like 2001:db8::1 defeat a pure regex). */
const IPV6_CANDIDATE = /(?<![\w:])[A-Fa-f0-9]{0,4}(?::[A-Fa-f0-9]{0,4}){2,7}(?![\w:])/g;
const PHONE = /(?<![\w+])\+?\d[\d\s().-]{7,}\d(?!\w)/g;

/** Returns the text with emails, IBANs, card numbers, IP addresses and phone numbers replaced. */
export function scrubPii(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(IBAN, (match) => (isValidIban(match) ? '[iban]' : match))
    .replace(DIGIT_RUN, replaceCardNumbers)
    .replace(IPV4, '[ip]')
    .replace(IPV6_CANDIDATE, (match) => (isIPv6(match) ? '[ip]' : match))
    .replace(PHONE, (match) => (digitCount(match) >= 8 && digitCount(match) <= 15 ? '[phone]' : match));
}

/**
 * Within one digit run, replaces each card number: the longest stretch of
 * whole separator-delimited groups, leftmost first, holding 13–19 digits that
 * pass Luhn. A card followed by a year (`4111 1111 1111 1111 2027`) or
 * preceded by a quantity is still found; a run failing Luhn everywhere
 * (order and tracking numbers) is kept as it is.
 */
function replaceCardNumbers(run: string): string {
  const parts = run.split(SEPARATOR); // groups at even indexes, the separator after each at odd ones
  let scrubbed = '';
  for (let first = 0; first < parts.length; first += 2) {
    let last = -1;
    let digits = '';
    for (let group = first; group < parts.length && digits.length <= 19; group += 2) {
      digits += parts[group];
      if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) last = group;
    }
    if (last === -1) {
      scrubbed += parts[first]! + (parts[first + 1] ?? '');
    } else {
      scrubbed += '[card]' + (parts[last + 1] ?? '');
      first = last;
    }
  }
  return scrubbed;
}

/** Luhn checksum over the digits (ASCII or full-width) of a 13–19 digit card number. */
export function passesLuhn(candidate: string): boolean {
  // NFKC turns full-width digits (U+FF10–FF19, typed by Japanese and Chinese IMEs) into ASCII ones.
  const digits = candidate.normalize('NFKC').replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function isValidIban(candidate: string): boolean {
  const iban = candidate.replace(/\s/g, '').toUpperCase();
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = /[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

function digitCount(text: string): number {
  return text.replace(/\D/g, '').length;
}
