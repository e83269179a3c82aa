/**
 * Turns a free-text prompt into the features the built-in classifier counts:
 * lower-cased, de-punctuated, contraction- and typo-corrected, lightly
 * stemmed tokens without stop words, plus the bigrams of adjacent tokens.
 * Everything here is pure and deterministic.
 */

/** Placeholder tokens start with this (no English word does). */
export const PLACEHOLDER_PREFIX = 'zz';

/** Placeholders for values whose exact spelling carries no intent. */
const PLACEHOLDERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bhttps?:\/\/\S+|\bwww\.\S+/g, ` ${PLACEHOLDER_PREFIX}url `],
  [/[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/g, ` ${PLACEHOLDER_PREFIX}email `],
  // Prices: "$300", "€ 49.99", "300 dollars", "20 bucks".
  [/[$€£]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:dollars?|usd|eur|euros?|gbp|pounds|bucks)\b/g, ` ${PLACEHOLDER_PREFIX}money `],
  // Order, tracking and ticket numbers: a digit run of 5+ or mixed letters and digits with a "#".
  [/#\s?[a-z0-9-]*\d[a-z0-9-]*|\b[a-z]{0,4}-?\d{5,}[a-z0-9-]*\b/g, ` ${PLACEHOLDER_PREFIX}id `],
];

/**
 * Contractions, with and without the apostrophe (chat users often drop it).
 * "not" is kept as a token: "not received" is a cue, "received" alone is not.
 */
const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bwon'?t\b/g, 'will not'],
  [/\bcan'?t\b|\bcannot\b/g, 'can not'],
  [/\bain'?t\b/g, 'is not'],
  [/\b(do|does|did|is|are|was|were|has|have|had|would|should|could|must|need)n'?t\b/g, '$1 not'],
  [/\b(i)'?m\b/g, 'i am'],
  [/\b(i|you|we|they|who)'ve\b/g, '$1 have'],
  [/\b(i|you|we|they|he|she|it|that|there)'ll\b/g, '$1 will'],
  [/\b(i|you|we|they|he|she|it|that|there)'d\b/g, '$1 would'],
  [/\b(you|we|they)'re\b/g, '$1 are'],
  [/\b(what|where|when|who|how|it|that|there|here|he|she)'?s\b/g, '$1 is'],
  [/'s\b/g, ''],
];

/**
 * Spelling variants, typos and chat shorthand mapped to one spelling, so the
 * few examples a taxonomy has cover the ways people actually type.
 */
const SPELLINGS: Readonly<Record<string, string>> = {
  // chat shorthand
  u: 'you', ur: 'your', r: 'are', pls: 'please', plz: 'please', thx: 'thanks', thnx: 'thanks', ty: 'thanks',
  ok: 'okay', k: 'okay', kk: 'okay', btw: 'by the way', asap: 'soon', rn: 'now', idk: 'not know',
  acct: 'account', acc: 'account', pw: 'password', pwd: 'password', passwd: 'password', pass: 'password',
  pkg: 'package', pkgs: 'package', parcel: 'package', parcels: 'package', info: 'information',
  addr: 'address', qty: 'quantity', amt: 'amount', msg: 'message', pic: 'photo', pics: 'photo',
  apps: 'app', otp: 'code', '2fa': 'twofactor', mfa: 'twofactor', sms: 'text',
  cc: 'card', creditcard: 'credit card', gc: 'gift card', giftcard: 'gift card', giftcards: 'gift card',
  promo: 'coupon', promocode: 'coupon', voucher: 'coupon', discount: 'coupon',
  eta: 'arrive when', rma: 'return', sub: 'subscription', subs: 'subscription', membership: 'subscription',
  // typos and variants
  adress: 'address', addres: 'address', adresss: 'address', acount: 'account', accout: 'account',
  accont: 'account', pasword: 'password', passowrd: 'password', passwrod: 'password', paswd: 'password',
  recieve: 'receive', recieved: 'received', recived: 'received', receieved: 'received',
  shiping: 'shipping', shippin: 'shipping', shipp: 'ship', deliverd: 'delivered', delievered: 'delivered',
  delivey: 'delivery', delivry: 'delivery', dilivery: 'delivery', delievery: 'delivery',
  refnd: 'refund', refound: 'refund', reimburse: 'refund', reimbursement: 'refund', moneyback: 'refund',
  retrun: 'return', retun: 'return', exhange: 'exchange', exchnage: 'exchange',
  diffrence: 'difference', differnce: 'difference', diference: 'difference', compatable: 'compatible',
  compatibile: 'compatible', availible: 'available', avaliable: 'available', avalable: 'available',
  warrenty: 'warranty', waranty: 'warranty', garantee: 'guarantee', guarentee: 'guarantee',
  cancelation: 'cancellation', cancle: 'cancel', cancelled: 'canceled', cancelling: 'canceling',
  payed: 'paid', paymnet: 'payment', pyment: 'payment', chargd: 'charged', chared: 'charged',
  subscribtion: 'subscription', subsription: 'subscription', invioce: 'invoice', recipt: 'receipt',
  reciept: 'receipt', receit: 'receipt', colour: 'color', colours: 'colors', grey: 'gray', wich: 'which',
  wat: 'what', whats: 'what is', wheres: 'where is', hows: 'how is', doesnt: 'does not', dont: 'do not',
  didnt: 'did not', isnt: 'is not', wasnt: 'was not', havent: 'have not', hasnt: 'has not',
  wont: 'will not', cant: 'can not', couldnt: 'could not', wouldnt: 'would not', im: 'i am', ive: 'i have',
  itll: 'it will', youre: 'you are', theyre: 'they are', arent: 'are not', werent: 'were not',
  'wi-fi': 'wifi', 'blue-tooth': 'bluetooth',
  'e-mail': 'email', 'e-mails': 'email', emails: 'email', mail: 'email',
  'log-in': 'log in', login: 'log in', logon: 'log in', signin: 'sign in', 'sign-in': 'sign in',
  logout: 'log out', 'log-out': 'log out', signup: 'sign up', 'sign-up': 'sign up', username: 'user name',
  'user-name': 'user name', 'pre-order': 'preorder', 'pre-ordered': 'preorder', 'in-stock': 'in stock',
  restock: 'back in stock', restocked: 'back in stock', 'out-of-stock': 'out of stock',
  'tracking#': 'tracking number', 'e-gift': 'gift card', 'check-out': 'checkout', 'add-on': 'addon',
  websites: 'website', site: 'website', webpage: 'website', 'web-site': 'website',
  'set-up': 'setup', 'turn-on': 'turn on', 'power-on': 'power on',
  returnable: 'return', 'non-returnable': 'not return', nonreturnable: 'not return', refundable: 'refund',
  'non-refundable': 'not refund', nonrefundable: 'not refund',
  hii: 'hi', hiya: 'hi', hey: 'hi', heya: 'hi', hello: 'hi', helo: 'hi', hallo: 'hi', yo: 'hi',
  thank: 'thanks', thankyou: 'thanks', cheers: 'thanks', appreciated: 'thanks',
  bday: 'birthday', tmrw: 'tomorrow', tmr: 'tomorrow', tomorow: 'tomorrow', wk: 'week', wks: 'week',
  mins: 'minute', min: 'minute', hrs: 'hour', hr: 'hour', yr: 'year', yrs: 'year', mo: 'month',
  bc: 'because', cuz: 'because', coz: 'because', smth: 'something', sth: 'something', ppl: 'people',
  fedex: 'courier', ups: 'courier', usps: 'courier', dhl: 'courier', dpd: 'courier',
  carrier: 'courier', postman: 'courier', mailman: 'courier', hermes: 'courier', evri: 'courier',
  tv: 'television', telly: 'television', laptops: 'laptop', notebook: 'laptop', headphone: 'headphones',
  earbud: 'earbuds', airpods: 'earbuds', phones: 'phone', smartphone: 'phone', cellphone: 'phone',
};

/** Irregular forms the suffix stripper cannot reach. */
const IRREGULAR_STEMS: Readonly<Record<string, string>> = {
  paid: 'pay', payment: 'pay', payments: 'pay', bought: 'buy', purchase: 'buy', purchased: 'buy',
  purchases: 'buy', purchasing: 'buy', sent: 'send', sold: 'sell', got: 'get', gotten: 'get',
  broke: 'broken', broken: 'broken', arrived: 'arrive', arrival: 'arrive', delivery: 'deliver',
  deliveries: 'deliver', shipment: 'ship', shipments: 'ship', shipping: 'ship', shipped: 'ship',
  refunded: 'refund', refunds: 'refund', cancellation: 'cancel', canceled: 'cancel', canceling: 'cancel',
  children: 'child', women: 'woman', men: 'man', feet: 'foot', went: 'go', gone: 'go', came: 'come',
  lost: 'lose', stolen: 'steal', stole: 'steal', left: 'leave', made: 'make', told: 'tell', said: 'say',
  took: 'take', taken: 'take', wore: 'wear', worn: 'wear', forgot: 'forget', forgotten: 'forget',
  billing: 'bill', billed: 'bill', charges: 'charge', charged: 'charge', charging: 'charge',
  subscribed: 'subscribe', subscription: 'subscribe', subscriptions: 'subscribe',
  tracking: 'track', tracked: 'track', working: 'work', worked: 'work', works: 'work',
};

/**
 * Words that occur in every intent. Negations and "where"/"when"/"which" are
 * kept on purpose: "not arrived", "where is", "which one" carry intent.
 */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the i me my mine myself we us our ours you your yours he him his she her it its they them their ' +
    'this that these those there here is am are was were be been being have has had having do does did ' +
    'doing will would shall should could might must can may to of in on at for with about from by as into ' +
    'onto over under and or but if so then than too very just also really only even still yet again ' +
    'please what who whom whose how some any all each every both either other such own same more most ' +
    'much many few lot lots quite bit up down out off its im oh um uh like well guys guy folks ' +
    'kindly possible tell let know want wanted need needs needed wondering wonder question quick ' +
    'thing things something anything one ones way'
  ).split(' '),
);

/** Negation words collapse to one token so "never arrived" and "not arrived" match. */
const NEGATIONS: ReadonlySet<string> = new Set(['not', 'no', 'never', 'nothing', 'none', 'nope', 'without']);

const MIN_STEM_LENGTH = 3;

/** Lower-case, accent-free, placeholder- and contraction-expanded text. */
export function normaliseText(text: string): string {
  let normalised = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  normalised = normalised.replace(/[\u2018\u2019\u02bc`´]/g, "'");
  for (const [pattern, replacement] of PLACEHOLDERS) normalised = normalised.replace(pattern, replacement);
  for (const [pattern, replacement] of CONTRACTIONS) normalised = normalised.replace(pattern, replacement);
  return normalised;
}

/** Content tokens: spelled consistently, stemmed, stop words and noise removed. */
export function tokenise(text: string): string[] {
  const tokens: string[] = [];
  for (const word of normaliseText(text).replace(/[^a-z0-9#\s-]/g, ' ').split(/\s+/)) {
    for (const token of wordTokens(word)) tokens.push(token);
  }
  return tokens;
}

/**
 * Words met before and their tokens: a word's tokens depend on the word
 * alone, and prompts repeat a small vocabulary, so the spelling table, the
 * suffix rules and the stop-word checks run once per distinct word. Bounded:
 * a stream of distinct words (random ids, another language) empties it
 * rather than growing it.
 */
const WORD_TOKENS = new Map<string, readonly string[]>();
const MAX_CACHED_WORDS = 20_000;
const MAX_CACHED_WORD_LENGTH = 32;

function wordTokens(word: string): readonly string[] {
  const cached = WORD_TOKENS.get(word);
  if (cached !== undefined) return cached;
  const tokens: string[] = [];
  for (const part of expandWord(word)) {
    if (part === '' || STOP_WORDS.has(part)) continue;
    if (NEGATIONS.has(part)) {
      tokens.push('not');
      continue;
    }
    // Lone letters ("x", "a") are sizes, initials and typos, not intent.
    if (part.length < 2) continue;
    tokens.push(stem(part));
  }
  if (word.length <= MAX_CACHED_WORD_LENGTH) {
    if (WORD_TOKENS.size >= MAX_CACHED_WORDS) WORD_TOKENS.clear();
    WORD_TOKENS.set(word, tokens);
  }
  return tokens;
}

/**
 * The features counted for a text: its tokens and the bigrams of adjacent
 * tokens (prefixed with "~" so they never collide with a token). Bigrams are
 * what tell "track order" (shipping) from "cancel order" (account/billing).
 */
export function extractFeatures(text: string): string[] {
  return featuresOf(meaningfulTokens(text));
}

/** Bigrams of already-tokenised text (see `extractFeatures`). */
export function featuresOf(tokens: readonly string[]): string[] {
  const features = [...tokens];
  for (let index = 1; index < tokens.length; index += 1) {
    features.push(`~${tokens[index - 1]} ${tokens[index]}`);
  }
  return features;
}

/** Greetings, thanks and fillers that only carry intent when a prompt is nothing else. */
const PLEASANTRIES: ReadonlySet<string> = new Set(
  ['hi', 'thanks', 'okay', 'morning', 'afternoon', 'evening', 'lol', 'haha', 'great', 'cool', 'q', 'sorry'].map(
    (word) => stem(word),
  ),
);
/** A prompt with at least this many other tokens is about those tokens, not about the greeting. */
const MIN_CONTENT_TOKENS = 2;

/**
 * "Hi! my earbuds won't pair" is a technical question, not small talk: a
 * greeting or thanks is dropped when the prompt has real content besides it.
 */
export function meaningfulTokens(text: string): string[] {
  const tokens = tokenise(text);
  const content = tokens.filter((token) => !PLEASANTRIES.has(token));
  return content.length >= MIN_CONTENT_TOKENS ? content : tokens;
}

/** Applies the spelling table; a hyphenated word falls back to its parts. */
function expandWord(raw: string): string[] {
  const word = raw.replace(/^[-#]+|[-]+$/g, '');
  if (word === '') return [];
  const spelled = SPELLINGS[word];
  if (spelled !== undefined) return spelled.split(' ');
  if (word.includes('-')) return word.split('-').flatMap((part) => expandWord(part));
  // Plain numbers are quantities, sizes and model numbers: no intent either way.
  if (/^\d+$/.test(word)) return [];
  return [word];
}

/**
 * A light suffix stripper (a small subset of Porter's rules): enough to join
 * "refunds/refunded/refunding", not so much that unrelated words collide.
 */
export function stem(word: string): string {
  const irregular = IRREGULAR_STEMS[word];
  // Irregular forms still go through the rules so "charged" → "charge" → "charg" meets "charge".
  return stripSuffixes(irregular ?? word);
}

function stripSuffixes(word: string): string {
  if (word.startsWith(PLACEHOLDER_PREFIX) || /\d/.test(word)) return word;
  let stemmed = word;
  if (stemmed.endsWith('ies') && stemmed.length > 4) stemmed = `${stemmed.slice(0, -3)}y`;
  else if (stemmed.endsWith('sses')) stemmed = stemmed.slice(0, -2);
  else if (stemmed.endsWith('s') && !/(ss|us|is|ous)$/.test(stemmed) && stemmed.length > 3) {
    stemmed = stemmed.slice(0, -1);
  }
  for (const suffix of ['ing', 'ed', 'ly']) {
    if (stemmed.endsWith(suffix) && stemmed.length - suffix.length >= MIN_STEM_LENGTH + 1) {
      stemmed = stemmed.slice(0, -suffix.length);
      // "shipped" → "shipp" → "ship"; keep "ll"/"ss" ("installed", "pressed").
      if (/([^aeiouls])\1$/.test(stemmed)) stemmed = stemmed.slice(0, -1);
      break;
    }
  }
  // Drops a final "e" so "charge"/"charged" and "arrive"/"arriving" meet.
  if (stemmed.endsWith('e') && stemmed.length > MIN_STEM_LENGTH + 1) stemmed = stemmed.slice(0, -1);
  return stemmed;
}
