import { describe, expect, it } from 'vitest';
import { ALL, expandGrafanaSql, type GrafanaQueryContext } from './grafana-macros.js';

const ctx: GrafanaQueryContext = {
  from: new Date('2024-03-01T10:00:00.250Z'),
  to: new Date('2024-03-02T12:30:00.999Z'),
  intervalMs: 300_000,
  variables: {
    campaign: { current: ['a', 'b'], options: ['a', 'b', 'c'] },
    port: { current: [ALL], options: ['25', '587'] },
    vantage: { current: ['eu'], options: ['eu', 'us'] },
  },
};
const F = 1709287200; // 2024-03-01T10:00:00Z
const T = 1709382600; // 2024-03-02T12:30:00Z

describe('Grafana ClickHouse macro expansion', () => {
  it('expands the time macros as the plugin backend does', () => {
    expect(expandGrafanaSql('$__timeFilter(ts)', ctx)).toBe(`ts >= toDateTime(${F}) AND ts <= toDateTime(${T})`);
    expect(expandGrafanaSql('$__timeFilter_ms(ts)', ctx)).toBe(
      `ts >= fromUnixTimestamp64Milli(${F}250) AND ts <= fromUnixTimestamp64Milli(${T}999)`,
    );
    expect(expandGrafanaSql('$__dateFilter(day)', ctx)).toBe(
      "day >= toDate('2024-03-01') AND day <= toDate('2024-03-02')",
    );
    expect(expandGrafanaSql('$__fromTime, $__toTime', ctx)).toBe(`toDateTime(${F}), toDateTime(${T})`);
    expect(expandGrafanaSql('$__timeInterval(ts) / $__interval_s', ctx)).toBe(
      'toStartOfInterval(toDateTime(ts), INTERVAL 300 second) / 300',
    );
    expect(expandGrafanaSql("$__timeGroup(ts, '5m')", ctx)).toBe('floor(extract(epoch from ts)/300)*300 AS "time"');
  });

  it('never lets an interval below one second through', () => {
    expect(expandGrafanaSql('$__interval_s', { ...ctx, intervalMs: 20 })).toBe('1');
  });

  it('formats multi-value variables for SQL and expands All to every option', () => {
    expect(expandGrafanaSql('campaign IN (${campaign}) AND port IN ($port) AND v IN ([[vantage]])', ctx)).toBe(
      "campaign IN ('a','b') AND port IN ('25','587') AND v IN ('eu')",
    );
    expect(expandGrafanaSql('$unknown stays', ctx)).toBe('$unknown stays');
  });

  it('turns $__conditionalAll into 1=1 on All and into the condition otherwise', () => {
    const sql =
      'WHERE $__conditionalAll(port IN (${port}), $port) AND $__conditionalAll(f(campaign, 1) IN (${campaign}), $campaign)';
    expect(expandGrafanaSql(sql, ctx)).toBe("WHERE 1=1 AND f(campaign, 1) IN ('a','b')");
    const empty = { ...ctx, variables: { ...ctx.variables, campaign: { current: [''], options: [] } } };
    expect(expandGrafanaSql('$__conditionalAll(x IN (${campaign}), ${campaign})', empty)).toBe('1=1');
  });

  it('keeps $__timeFilter from eating $__timeFilter_ms', () => {
    expect(expandGrafanaSql('$__timeFilter_ms(a) AND $__timeFilter(b)', ctx)).toBe(
      `a >= fromUnixTimestamp64Milli(${F}250) AND a <= fromUnixTimestamp64Milli(${T}999) AND b >= toDateTime(${F}) AND b <= toDateTime(${T})`,
    );
  });
});
