import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.ts';

describe('KeyedLock', () => {
  it('runs tasks of one key one at a time, in order, and tasks of other keys alongside', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const firstBlocked = new Promise<void>((resolve) => (releaseFirst = resolve));
    const first = lock.run('a', async () => {
      events.push('a1 start');
      await firstBlocked;
      events.push('a1 end');
    });
    const second = lock.run('a', async () => {
      events.push('a2');
    });
    const other = lock.run('b', async () => {
      events.push('b1');
    });
    await other;
    expect(events).toEqual(['a1 start', 'b1']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('lets the next task run after one throws', async () => {
    const lock = new KeyedLock();
    await expect(lock.run('a', async () => Promise.reject(new Error('kaputt')))).rejects.toThrow('kaputt');
    await expect(lock.run('a', async () => 'weiter')).resolves.toBe('weiter');
  });
});
