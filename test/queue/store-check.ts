/** Reads a stopped writer's embedded store and checks a campaign's rows: once per target, counts agreeing. */
import { openStore } from '../../src/store/index.js';

export interface StoredCampaign {
  rows: number;
  distinctIps: number;
  latestRows: number;
  attempted: number;
  responsive: number;
  jobs: number;
  outcomes: Record<string, number>;
  campaignRows: { contact: string; ehlo_name: string; ended: boolean; state: string; chunks: string }[];
}

export async function readStoredCampaign(dataDir: string, campaign: string): Promise<StoredCampaign> {
  const store = await openStore({ dataDir });
  try {
    const q = async <T>(query: string): Promise<T[]> => {
      const rs = await store.client.query({ query, query_params: { c: campaign }, format: 'JSONEachRow' });
      return (await rs.json()) as T[];
    };
    const [obs] = await q<{ rows: number; ips: number }>(
      'SELECT count() AS rows, uniqExact(ip) AS ips FROM observations WHERE campaign = {c:String}',
    );
    const [latest] = await q<{ rows: number }>(
      'SELECT count() AS rows FROM host_latest FINAL WHERE campaign = {c:String}',
    );
    const [jobs] = await q<{ attempted: number; responsive: number; jobs: number }>(
      'SELECT sum(attempted) AS attempted, sum(responsive) AS responsive, count() AS jobs FROM job_stats FINAL WHERE campaign = {c:String}',
    );
    const outcomeRows = await q<{ outcome: string; n: number }>(
      'SELECT toString(outcome) AS outcome, count() AS n FROM observations WHERE campaign = {c:String} GROUP BY outcome',
    );
    const campaignRows = await q<{
      contact: string;
      ehlo_name: string;
      ended: number;
      state: string;
      done: number;
      total: number;
    }>(
      `SELECT contact, ehlo_name, ended_at IS NOT NULL AS ended, state, chunks_done AS done, chunks_total AS total
       FROM campaigns FINAL WHERE campaign = {c:String}`,
    );
    return {
      rows: Number(obs?.rows ?? 0),
      distinctIps: Number(obs?.ips ?? 0),
      latestRows: Number(latest?.rows ?? 0),
      attempted: Number(jobs?.attempted ?? 0),
      responsive: Number(jobs?.responsive ?? 0),
      jobs: Number(jobs?.jobs ?? 0),
      outcomes: Object.fromEntries(outcomeRows.map((r) => [r.outcome, Number(r.n)])),
      campaignRows: campaignRows.map((r) => ({
        contact: r.contact,
        ehlo_name: r.ehlo_name,
        ended: Boolean(r.ended),
        state: r.state,
        chunks: `${r.done}/${r.total}`,
      })),
    };
  } finally {
    await store.close();
  }
}
