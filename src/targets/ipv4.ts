/**
 * IPv4 addresses as unsigned 32-bit numbers. The parser is strict: four
 * decimal octets without leading zeros, because `010.0.0.1` means 8.0.0.1 to
 * inet_aton and 10.0.0.1 to a human, and scanning the wrong one is not an
 * option.
 */

/** The address as a number in [0, 2^32), or null when `text` is not dotted-quad IPv4. */
export function parseIpv4(text: string): number | null {
  const len = text.length;
  if (len < 7 || len > 15) return null;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return null; // leading zero
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return null;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + octet;
}

/** Decimal text of 0..255, looked up instead of converted: --list formats millions of addresses per second. */
const OCTETS: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

export function formatIpv4(address: number): string {
  return (
    (OCTETS[address >>> 24] as string) +
    '.' +
    (OCTETS[(address >>> 16) & 255] as string) +
    '.' +
    (OCTETS[(address >>> 8) & 255] as string) +
    '.' +
    (OCTETS[address & 255] as string)
  );
}
