/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32), so sampling
 * and random test checkpoints are reproducible from a seed.
 */
export class SeededRandom {
  #state: Uint32Array;

  constructor(seed: number) {
    this.#state = new Uint32Array(4);
    let value = seed >>> 0;
    for (let index = 0; index < 4; index++) {
      value = (value + 0x9e3779b9) >>> 0;
      let mixed = value;
      mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b) >>> 0;
      mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35) >>> 0;
      this.#state[index] = (mixed ^ (mixed >>> 16)) >>> 0;
    }
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const state = this.#state;
    const result = Math.imul(rotateLeft(Math.imul(state[1], 5), 7), 9) >>> 0;
    const shifted = state[1] << 9;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= shifted;
    state[3] = rotateLeft(state[3], 11);
    return result;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [low, high] (inclusive). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** A standard normal sample (Box–Muller). */
  normal(): number {
    const first = 1 - this.next();
    const second = this.next();
    return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
  }
}

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}
