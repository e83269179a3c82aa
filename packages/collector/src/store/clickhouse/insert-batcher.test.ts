import { describe, expect, it } from 'vitest';
import { createInsertBatcher } from './insert-batcher.js';

describe('createInsertBatcher', () => {
  it('writes submissions made while an insert is in flight together in the next insert', async () => {
    const inserts: number[][][] = [];
    let release: () => void = () => {};
    const batcher = createInsertBatcher<number, number>({
      async write(submissions) {
        inserts.push(submissions.map((items) => [...items]));
        if (inserts.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return submissions.map((items) => items.length);
      },
    });
    const first = batcher.submit([1]);
    await new Promise((resolve) => setImmediate(resolve));
    const second = batcher.submit([2, 3]);
    const third = batcher.submit([4]);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await Promise.all([first, second, third])).toEqual([1, 2, 1]);
    expect(inserts).toEqual([[[1]], [[2, 3], [4]]]);
  });

  it('answers a submission only after the insert holding its rows has completed', async () => {
    let completed = false;
    const batcher = createInsertBatcher<string, string>({
      async write(submissions) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        completed = true;
        return submissions.map(() => 'ok');
      },
    });
    await batcher.submit(['a']);
    expect(completed).toBe(true);
  });

  it('rejects only the submission that fails on its own when a combined insert fails', async () => {
    const batcher = createInsertBatcher<string, string>({
      async write(submissions) {
        if (submissions.some((items) => items.includes('bad'))) throw new Error('rejected row');
        return submissions.map((items) => items.join());
      },
    });
    const good = batcher.submit(['a', 'b']);
    const bad = batcher.submit(['bad']);
    const alsoGood = batcher.submit(['c']);
    await expect(bad).rejects.toThrow('rejected row');
    expect(await good).toBe('a,b');
    expect(await alsoGood).toBe('c');
  });

  it('cuts a group at the row limit and writes the rest in the following insert', async () => {
    const sizes: number[] = [];
    const batcher = createInsertBatcher<number, void>({
      maxGroupRows: 3,
      async write(submissions) {
        sizes.push(submissions.reduce((sum, items) => sum + items.length, 0));
        return submissions.map(() => undefined);
      },
    });
    await Promise.all([batcher.submit([1, 2]), batcher.submit([3]), batcher.submit([4, 5])]);
    expect(sizes).toEqual([3, 2]);
  });
});
