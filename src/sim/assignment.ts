/**
 * Which persona answers at which address. Pure and deterministic: the same
 * range, mix and seed give the same fleet, so a manifest written yesterday
 * still describes today's run.
 */
import type { Persona } from './persona.js';
import { PERSONAS } from './personas.js';
import { REALISTIC_WEIGHTS_PPM } from './realistic-mix.js';

export const MIXES = ['even', 'realistic'] as const;
export type Mix = (typeof MIXES)[number];

export type PersonaAssigner = (addressIndex: number) => Persona;

export function createAssigner(mix: Mix, seed: number, personas: readonly Persona[] = PERSONAS): PersonaAssigner {
  if (mix === 'even') {
    // Round robin: any run of personas.length consecutive addresses holds every persona once.
    return (index) => personas[index % personas.length] as Persona;
  }
  const table = cumulativeWeights(personas);
  const total = table.at(-1)?.upTo ?? 0;
  return (index) => {
    const point = (mixHash(seed, index) / 2 ** 32) * total;
    // Binary search: the first persona whose cumulative weight exceeds the point.
    let lo = 0;
    let hi = table.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((table[mid] as { upTo: number }).upTo > point) hi = mid;
      else lo = mid + 1;
    }
    return (table[lo] as { persona: Persona }).persona;
  };
}

function cumulativeWeights(personas: readonly Persona[]): Array<{ persona: Persona; upTo: number }> {
  let sum = 0;
  const table: Array<{ persona: Persona; upTo: number }> = [];
  for (const persona of personas) {
    const weight = REALISTIC_WEIGHTS_PPM.get(persona.name) ?? 0;
    if (weight <= 0) continue;
    sum += weight;
    table.push({ persona, upTo: sum });
  }
  if (table.length === 0) throw new Error('realistic mix: no persona has a weight');
  return table;
}

/**
 * A 32-bit hash of (seed, index): two rounds of the murmur3 finaliser, which
 * spreads consecutive indexes evenly — addresses in a range are consecutive.
 */
export function mixHash(seed: number, index: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ index) >>> 0;
  for (let round = 0; round < 2; round++) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    h = (h + 0x6a09e667) | 0;
  }
  return h >>> 0;
}
