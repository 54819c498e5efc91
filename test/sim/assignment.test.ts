import { describe, expect, it } from 'vitest';
import { createAssigner } from '../../src/sim/assignment.js';
import { PERSONAS, REALISTIC_WEIGHTS_PPM } from '../../src/sim/index.js';

describe('persona assignment', () => {
  it('even: every run of N consecutive addresses holds all N personas once', () => {
    const assign = createAssigner('even', 7);
    for (const start of [0, 5, 1000]) {
      const names = new Set(PERSONAS.map((_, i) => assign(start + i).name));
      expect(names.size).toBe(PERSONAS.length);
    }
  });

  it('realistic: every persona has a weight, and the weights add up to a million hosts', () => {
    for (const p of PERSONAS) expect(REALISTIC_WEIGHTS_PPM.get(p.name), p.name).toBeGreaterThan(0);
    const total = [...REALISTIC_WEIGHTS_PPM.values()].reduce((a, b) => a + b, 0);
    expect(Math.abs(total - 1_000_000)).toBeLessThan(50);
  });

  it('realistic: deterministic from the seed, different across seeds', () => {
    const a = createAssigner('realistic', 42);
    const b = createAssigner('realistic', 42);
    const c = createAssigner('realistic', 43);
    const run = (f: typeof a) => Array.from({ length: 2000 }, (_, i) => f(i).name);
    expect(run(a)).toEqual(run(b));
    expect(run(a)).not.toEqual(run(c));
  });

  it('realistic: frequencies over a /16 match the weights within 5 sigma', () => {
    const n = 65536;
    const total = [...REALISTIC_WEIGHTS_PPM.values()].reduce((x, y) => x + y, 0);
    for (const seed of [1, 2024]) {
      const assign = createAssigner('realistic', seed);
      const counts = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const name = assign(i).name;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      for (const [name, weight] of REALISTIC_WEIGHTS_PPM) {
        const p = weight / total;
        const expected = n * p;
        const sigma = Math.sqrt(n * p * (1 - p));
        expect(Math.abs((counts.get(name) ?? 0) - expected), `${name} seed ${seed}`).toBeLessThanOrEqual(5 * sigma + 1);
      }
    }
  });
});
