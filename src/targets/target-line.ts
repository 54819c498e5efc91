/**
 * Lines of a targets file, in the shapes the tools around a scanner write:
 *
 * - one target per line (ZMap's plain output, hand-written lists);
 * - ZMap's CSV output: a header line first (`saddr,…`), the address in the
 *   first column, every other column ignored;
 * - ZGrab2's input: `ip,name` or `ip,name,tag` (the tag is ignored; an empty
 *   name means none), when names are wanted (targets files, not blocklists);
 *   a header whose second column is `name` or `domain` announces the same.
 *
 * `#` starts a comment, as in ZMap's blocklist files. The reader returns the
 * target string the rest of the program reads: `spec` or `ip,name`
 * (named-targets.ts checks it).
 */
import { UsageError } from '../errors.js';
import { quoteSpec } from './target-spec.js';

/** Names ZMap and common tools use for the address column of a CSV header. */
const HEADER_NAMES = new Set(['saddr', 'ip', 'address', 'addr', 'daddr', 'host']);
/** Names of a header's name column (ZGrab2 calls it domain). */
const NAME_COLUMNS = new Set(['name', 'domain']);

/** How a line's columns are read. */
type Columns =
  /** ZGrab2's `ip[,name[,tag]]`, no header: at most three columns. */
  | 'named'
  /** After a header with a name column: the name in the second column, any number of columns. */
  | 'header-named'
  /** The address in the first column, the rest ignored: ZMap CSV, blocklists, allowlists. */
  | 'first-only';

/** The hint for a line that reads as `ip,name` but is not one. */
export const NAMED_LINE_HINT = 'lines are ip, ip,name or ip,name,tag; ZMap CSV output needs its header line';

export class TargetLineReader {
  private columns: Columns;

  /** `names`: read a second column as the target's name (targets files), or ignore it (blocklists, allowlists). */
  constructor(private readonly names: boolean) {
    this.columns = names ? 'named' : 'first-only';
  }

  /**
   * The target string on a line, or null for a line with nothing to scan
   * (blank, comment, or a CSV header on the first line). Throws UsageError
   * for a line with too many columns to be ZGrab2's.
   */
  read(line: string, lineNumber: number): string | null {
    const hash = line.indexOf('#');
    const text = (hash >= 0 ? line.slice(0, hash) : line).trim();
    if (text === '') return null;
    const columns = text.split(',').map((c) => c.trim());
    const first = columns[0] as string;
    if (lineNumber === 1 && HEADER_NAMES.has(first.toLowerCase())) {
      this.columns = this.names && NAME_COLUMNS.has((columns[1] ?? '').toLowerCase()) ? 'header-named' : 'first-only';
      return null;
    }
    if (this.columns === 'first-only') return first;
    if (this.columns === 'named' && columns.length > 3) {
      throw new UsageError(`${quoteSpec(text)}: ${columns.length} columns (${NAMED_LINE_HINT})`);
    }
    const name = columns[1] ?? '';
    return name === '' ? first : `${first},${name}`;
  }
}
