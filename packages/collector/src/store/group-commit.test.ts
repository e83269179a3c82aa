import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

/** A commit that records each transaction and sums its submissions, failing on any "poison" item. */
function recordingCommit() {
  const transactions: number[][][] = [];
  const commit = (submissions: readonly (readonly number[])[]): number[] => {
    if (submissions.some((items) => items.includes(-1))) throw new Error('constraint failed');
    transactions.push(submissions.map((items) => [...items]));
    return submissions.map((items) => items.reduce((sum, item) => sum + item, 0));
  };
  return { transactions, commit };
}

describe('group commit', () => {
  it('commits submissions made in the same turn of the event loop in one transaction, each answered with its own result', async () => {
    const { transactions, commit } = recordingCommit();
    const group = createGroupCommit({ commit });
    const results = await Promise.all([group.submit([1, 2]), group.submit([10]), group.submit([100, 200])]);
    expect(results).toEqual([3, 10, 300]);
    expect(transactions).toEqual([[[1, 2], [10], [100, 200]]]);
  });

  it('answers nobody before the transaction holding their rows has committed', async () => {
    const order: string[] = [];
    const group = createGroupCommit({
      commit: (submissions: readonly (readonly number[])[]) => {
        order.push('commit');
        return submissions.map(() => 0);
      },
    });
    const answered = group.submit([1]).then(() => order.push('answered'));
    order.push('submitted');
    await answered;
    expect(order).toEqual(['submitted', 'commit', 'answered']);
  });

  it('retries a failing group one submission at a time, so only the poisonous one is rejected', async () => {
    const { transactions, commit } = recordingCommit();
    const group = createGroupCommit({ commit });
    const outcomes = await Promise.allSettled([group.submit([1]), group.submit([-1, 5]), group.submit([7])]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(transactions).toEqual([[[1]], [[7]]]);
  });

  it('cuts groups at maxGroupRows and still commits a larger submission on its own', async () => {
    const { transactions, commit } = recordingCommit();
    const group = createGroupCommit({ commit, maxGroupRows: 3 });
    await Promise.all([group.submit([1, 1]), group.submit([2]), group.submit([3, 3]), group.submit([4, 4, 4, 4])]);
    expect(transactions).toEqual([[[1, 1], [2]], [[3, 3]], [[4, 4, 4, 4]]]);
  });

  it('commits everything waiting when flushed at once, and its scheduled turn then commits nothing', async () => {
    const { transactions, commit } = recordingCommit();
    const calls: number[] = [];
    const group = createGroupCommit({
      commit: (submissions: readonly (readonly number[])[]) => {
        calls.push(submissions.length);
        return commit(submissions);
      },
    });
    const pending = group.submit([5]);
    group.flushAll();
    expect(transactions).toEqual([[[5]]]);
    await expect(pending).resolves.toBe(5);
    await new Promise((resolve) => setImmediate(resolve));
    // The store may be closed by now: an empty transaction must not be attempted.
    expect(calls).toEqual([1]);
  });
});
