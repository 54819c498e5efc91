/**
 * What Grafana and the ClickHouse data source plugin (grafana-clickhouse-datasource)
 * do to a panel's rawSql before ClickHouse sees it, in the same order:
 *
 *   1. frontend, plugin: `$__conditionalAll(cond, $var)` → `1=1` when the
 *      variable is "All" (or empty), else `cond`; innermost-last, right to left;
 *   2. frontend, Grafana: template variables `$var`, `${var}`, `[[var]]`; an
 *      array value (multi-value variable, "All" expanded to every option) is
 *      formatted by the plugin as `'a','b'`, a single value goes in as is;
 *   3. backend, plugin (sqlds): `$__timeFilter(c)`, `$__timeFilter_ms(c)`,
 *      `$__dateFilter(c)`, `$__dateTimeFilter(d, t)`, `$__fromTime`, `$__toTime`,
 *      `$__fromTime_ms`, `$__toTime_ms`, `$__timeInterval(c)`, `$__timeInterval_ms(c)`,
 *      `$__interval_s`, and sqlds' default `$__timeGroup(c, '5m')`.
 *
 * Written from FIELD-NOTES §7 and the plugin's documented expansions, so the
 * dashboards' queries can be run against a real store in tests.
 */

export interface TemplateVariable {
  /** The selected values; ['$__all'] means "All". */
  current: string[];
  /** Every option of the variable, what "All" expands to. */
  options: string[];
}

export interface GrafanaQueryContext {
  from: Date;
  to: Date;
  /** Grafana's computed interval for the panel (time range / max data points, rounded). */
  intervalMs: number;
  variables: Record<string, TemplateVariable>;
}

export const ALL = '$__all';

export function expandGrafanaSql(rawSql: string, ctx: GrafanaQueryContext): string {
  const conditional = applyConditionalAll(rawSql, ctx.variables);
  const interpolated = interpolateVariables(conditional, ctx.variables);
  return expandBackendMacros(interpolated, ctx);
}

/** Step 1: the plugin's frontend macro, applied before variables are interpolated. */
export function applyConditionalAll(sql: string, variables: Record<string, TemplateVariable>): string {
  const macro = '$__conditionalAll(';
  let out = sql;
  let at = out.lastIndexOf(macro);
  while (at !== -1) {
    const args = macroArguments(out, at + macro.length - 1);
    if (args === null || args.args.length !== 2) return out;
    const [condition, variableArg] = args.args as [string, string];
    const name = /\$\{(\w+)\}|\$(\w+)/.exec(variableArg.trim());
    let phrase = condition;
    if (name !== null) {
      const variable = variables[name[1] ?? name[2] ?? ''];
      const value = variable?.current.join(',');
      if (value === '' || value === ALL) phrase = '1=1';
    }
    out = out.slice(0, at) + phrase + out.slice(args.end + 1);
    at = out.lastIndexOf(macro);
  }
  return out;
}

/** Step 2: Grafana's template service with the plugin's SQL formatter. Unknown names stay as written. */
export function interpolateVariables(sql: string, variables: Record<string, TemplateVariable>): string {
  return sql.replace(/\$(\w+)|\[\[(\w+?)\]\]|\$\{(\w+)\}/g, (whole, a?: string, b?: string, c?: string) => {
    const variable = variables[a ?? b ?? c ?? ''];
    if (variable === undefined) return whole;
    const values = variable.current.length === 1 && variable.current[0] === ALL ? variable.options : variable.current;
    return formatForSql(values);
  });
}

/** The plugin's `format`: arrays quoted and joined, as Grafana hands multi-value variables over. */
export function formatForSql(values: readonly string[]): string {
  return `'${values.join("','")}'`;
}

type MacroFn = (args: string[], ctx: GrafanaQueryContext) => string;

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);
const dateTime = (d: Date): string => `toDateTime(${seconds(d)})`;
const dateTime64 = (d: Date): string => `fromUnixTimestamp64Milli(${d.getTime()})`;
const date = (d: Date): string => `toDate('${d.toISOString().slice(0, 10)}')`;
const intervalSeconds = (ctx: GrafanaQueryContext): number => Math.trunc(Math.max(ctx.intervalMs / 1000, 1));

function oneArg(name: string, args: string[]): string {
  if (args.length !== 1) throw new Error(`$__${name}: expected 1 argument, received ${args.length}`);
  return args[0] as string;
}

const BACKEND_MACROS: Record<string, MacroFn> = {
  fromTime: (_a, ctx) => dateTime(ctx.from),
  toTime: (_a, ctx) => dateTime(ctx.to),
  fromTime_ms: (_a, ctx) => dateTime64(ctx.from),
  toTime_ms: (_a, ctx) => dateTime64(ctx.to),
  timeFilter: (a, ctx) => {
    const c = oneArg('timeFilter', a);
    return `${c} >= ${dateTime(ctx.from)} AND ${c} <= ${dateTime(ctx.to)}`;
  },
  timeFilter_ms: (a, ctx) => {
    const c = oneArg('timeFilter_ms', a);
    return `${c} >= ${dateTime64(ctx.from)} AND ${c} <= ${dateTime64(ctx.to)}`;
  },
  dateFilter: (a, ctx) => {
    const c = oneArg('dateFilter', a);
    return `${c} >= ${date(ctx.from)} AND ${c} <= ${date(ctx.to)}`;
  },
  dateTimeFilter: (a, ctx) => {
    if (a.length !== 2) throw new Error(`$__dateTimeFilter: expected 2 arguments, received ${a.length}`);
    const [d, t] = a as [string, string];
    return (
      `(${d} >= ${date(ctx.from)} AND ${d} <= ${date(ctx.to)}) AND ` +
      `(${t} >= ${dateTime(ctx.from)} AND ${t} <= ${dateTime(ctx.to)})`
    );
  },
  timeInterval: (a, ctx) =>
    `toStartOfInterval(toDateTime(${oneArg('timeInterval', a)}), INTERVAL ${intervalSeconds(ctx)} second)`,
  timeInterval_ms: (a, ctx) =>
    `toStartOfInterval(toDateTime64(${oneArg('timeInterval_ms', a)}, 3), INTERVAL ${Math.trunc(Math.max(ctx.intervalMs, 1))} millisecond)`,
  interval_s: (_a, ctx) => String(intervalSeconds(ctx)),
  // sqlds' default, written for other SQL dialects: ClickHouse has no `extract(epoch …)`,
  // so the dashboards use $__timeInterval instead. Expanded here for completeness.
  timeGroup: (a) => {
    if (a.length !== 2) throw new Error(`$__timeGroup: expected 2 arguments, received ${a.length}`);
    const s = parseGrafanaDuration((a[1] as string).replace(/^'|'$/g, '')) / 1000;
    return `floor(extract(epoch from ${a[0]})/${s})*${s} AS "time"`;
  },
};
BACKEND_MACROS.dt = BACKEND_MACROS.dateTimeFilter as MacroFn;

/** Step 3: the backend macros. `\b` keeps `$__timeFilter` from matching `$__timeFilter_ms`. */
export function expandBackendMacros(sql: string, ctx: GrafanaQueryContext): string {
  let out = sql;
  // Longest names first, so no macro name is a prefix of another at a match.
  const names = Object.keys(BACKEND_MACROS).sort((x, y) => y.length - x.length);
  for (const name of names) {
    const fn = BACKEND_MACROS[name] as MacroFn;
    const pattern = new RegExp(`\\$__${name}\\b`, 'g');
    let match: RegExpExecArray | null;
    let rebuilt = '';
    let last = 0;
    while ((match = pattern.exec(out)) !== null) {
      const after = match.index + match[0].length;
      let args: string[] = [];
      let end = after - 1;
      if (out[after] === '(') {
        const parsed = macroArguments(out, after);
        if (parsed === null) throw new Error(`$__${name}: unbalanced parentheses`);
        args = parsed.args.map((s) => s.trim());
        end = parsed.end;
      }
      rebuilt += out.slice(last, match.index) + fn(args, ctx);
      last = end + 1;
      pattern.lastIndex = last;
    }
    out = rebuilt + out.slice(last);
  }
  return out;
}

/** Arguments of a macro call whose '(' is at `open`: split on top-level commas. */
function macroArguments(text: string, open: number): { args: string[]; end: number } | null {
  let depth = 0;
  let start = open + 1;
  const args: string[] = [];
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) {
        args.push(text.slice(start, i));
        return { args, end: i };
      }
    } else if (ch === ',' && depth === 1) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return null;
}

/** Grafana's interval strings: 30s, 5m, 1h, 1d, 1w, 500ms. */
export function parseGrafanaDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(text.trim());
  if (m === null) throw new Error(`not a Grafana interval: ${JSON.stringify(text)}`);
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8, y: 3.1536e10 }[m[2] as string] as number;
  return Number(m[1]) * unit;
}
