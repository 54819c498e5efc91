/**
 * One line of a targets file as ZMap writes them: plain output (one address
 * per line) or CSV output (address in the first column, a header line such as
 * `saddr,…`). `#` starts a comment, as in ZMap's blocklist files.
 */

/** Names ZMap and common tools use for the address column of a CSV header. */
const HEADER_NAMES = new Set(['saddr', 'ip', 'address', 'addr', 'daddr', 'host']);

/**
 * The target spec on a line, or null for a line with nothing to scan (blank,
 * comment, or a CSV header on the first line).
 */
export function specFromLine(line: string, lineNumber: number): string | null {
  const hash = line.indexOf('#');
  const text = (hash >= 0 ? line.slice(0, hash) : line).trim();
  if (text === '') return null;
  const comma = text.indexOf(',');
  const first = (comma >= 0 ? text.slice(0, comma) : text).trim();
  if (lineNumber === 1 && HEADER_NAMES.has(first.toLowerCase())) return null;
  return first;
}
