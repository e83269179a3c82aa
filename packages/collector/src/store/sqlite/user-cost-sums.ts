/** The values of a per-user cost entry, in list order (migrations 018 and 020): the user's ordinal, then the sums. */
export const USER_COST_WIDTH = 6;

/** What UserCostSums.forEachUser hands over per user. */
export type UserCostVisitor = (ordinal: number, cost: number, promptTokens: number, completionTokens: number, totalTokens: number, conversations: number) => void;

/**
 * Per user, the sums of their cost entries, over integer ordinals in typed
 * arrays: a query adds up to a million entries (90 days at 10M bench events),
 * and a week list's writer the 51,000–109,000 entries of a week's quarter
 * lists there.
 * Costs are summed as TOTAL() sums them: a running sum and its accumulated
 * error per user (total.ts), so that a user's cost over quarters, or over
 * weeks of quarters, is the compensated sum of their rows.
 */
export class UserCostSums {
  readonly #costSum: Float64Array;
  readonly #costError: Float64Array;
  readonly #promptTokens: Float64Array;
  readonly #completionTokens: Float64Array;
  readonly #totalTokens: Float64Array;
  readonly #conversations: Float64Array;
  readonly #counted: Uint8Array;
  #users = 0;

  /** `maxOrdinal`: the highest ordinal to be added. */
  constructor(maxOrdinal: number) {
    const size = maxOrdinal + 1;
    this.#costSum = new Float64Array(size);
    this.#costError = new Float64Array(size);
    this.#promptTokens = new Float64Array(size);
    this.#completionTokens = new Float64Array(size);
    this.#totalTokens = new Float64Array(size);
    this.#conversations = new Float64Array(size);
    this.#counted = new Uint8Array(size);
  }

  add(ordinal: number, cost: number, promptTokens: number, completionTokens: number, totalTokens: number, conversations: number): void {
    const sum = this.#costSum[ordinal] as number;
    const next = sum + cost;
    this.#costError[ordinal] = (this.#costError[ordinal] as number) + (Math.abs(sum) > Math.abs(cost) ? sum - next + cost : cost - next + sum);
    this.#costSum[ordinal] = next;
    this.#promptTokens[ordinal] = (this.#promptTokens[ordinal] as number) + promptTokens;
    this.#completionTokens[ordinal] = (this.#completionTokens[ordinal] as number) + completionTokens;
    this.#totalTokens[ordinal] = (this.#totalTokens[ordinal] as number) + totalTokens;
    this.#conversations[ordinal] = (this.#conversations[ordinal] as number) + conversations;
    if (this.#counted[ordinal] === 0) {
      this.#counted[ordinal] = 1;
      this.#users += 1;
    }
  }

  /** Adds every entry of a list (USER_COST_WIDTH values each). */
  addEntries(list: Float64Array): void {
    for (let at = 0; at < list.length; at += USER_COST_WIDTH) {
      this.add(list[at] as number, list[at + 1] as number, list[at + 2] as number, list[at + 3] as number, list[at + 4] as number, list[at + 5] as number);
    }
  }

  /** How many users have sums. */
  get users(): number {
    return this.#users;
  }

  /** Each user with sums, in ordinal order, cost with its accumulated error added (unless that overflowed, as TOTAL()). */
  forEachUser(visit: UserCostVisitor): void {
    for (let ordinal = 0; ordinal < this.#counted.length; ordinal += 1) {
      if (this.#counted[ordinal] === 0) continue;
      const error = this.#costError[ordinal] as number;
      const cost = Number.isFinite(error) ? (this.#costSum[ordinal] as number) + error : (this.#costSum[ordinal] as number);
      visit(
        ordinal,
        cost,
        this.#promptTokens[ordinal] as number,
        this.#completionTokens[ordinal] as number,
        this.#totalTokens[ordinal] as number,
        this.#conversations[ordinal] as number,
      );
    }
  }

  /** The users' sums as list entries (USER_COST_WIDTH values each), in ordinal order. */
  entries(): Float64Array {
    const entries = new Float64Array(this.#users * USER_COST_WIDTH);
    let at = 0;
    this.forEachUser((...values) => {
      entries.set(values, at);
      at += USER_COST_WIDTH;
    });
    return entries;
  }
}
