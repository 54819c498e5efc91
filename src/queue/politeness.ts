/**
 * The per-/24 politeness bound. The target engine visits addresses in a
 * seeded pseudo-random order over the whole set, so a campaign at R new
 * connections per second over N addresses reaches any one /24 (at most 256 of
 * them) at R·256/N per second on average, and a burst on one /24 needs many
 * unlikely draws in a row. The bound is therefore checked once, at create
 * time, on that expectation: no per-connection bookkeeping in Redis.
 */
export function expectedPer24Rate(rate: number, setSize: number): number {
  if (setSize === 0) return 0;
  return (rate * Math.min(256, setSize)) / setSize;
}
