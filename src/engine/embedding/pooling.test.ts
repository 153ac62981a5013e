import { describe, expect, it } from 'vitest';
import { normalise, poolTokens } from './pooling.ts';

describe('pooling', () => {
  // batch 2, sequence 3, dimensions 2; the second row has one padding position.
  const hidden = Float32Array.from([1, 2, 3, 4, 5, 6, /* row 2 */ 2, 0, 4, 2, 100, 100]);
  const mask = [1, 1, 1, 1, 1, 0];
  const shape = { batch: 2, sequence: 3, dimensions: 2 };

  it('averages only unmasked positions', () => {
    const [first, second] = poolTokens(hidden, mask, shape, 'mean');
    expect([...first!]).toEqual([3, 4]);
    expect([...second!]).toEqual([3, 1]); // the padded 100s are ignored
  });

  it('takes the first position for CLS pooling', () => {
    expect(poolTokens(hidden, mask, shape, 'cls').map((vector) => [...vector])).toEqual([[1, 2], [2, 0]]);
  });

  it('normalises to unit length and leaves zero vectors alone', () => {
    expect([...normalise(Float32Array.from([3, 4]))]).toEqual([0.6000000238418579, 0.800000011920929]);
    expect([...normalise(new Float32Array(3))]).toEqual([0, 0, 0]);
  });
});
