/**
 * An inclusive range of addresses of one family. IPv4 uses numbers (fast and
 * compact for millions of entries); IPv6 needs 128 bits and uses bigints.
 */
export type AddressRange = { family: 4; first: number; last: number } | { family: 6; first: bigint; last: bigint };

/** How many addresses the range holds, as a number (exact up to 2^53, approximate above). */
export function rangeSize(range: AddressRange): number {
  return range.family === 4 ? range.last - range.first + 1 : Number(range.last - range.first + 1n);
}
