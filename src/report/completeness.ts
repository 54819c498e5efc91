/**
 * How complete a campaign is, in one phrase, from its row in the campaigns
 * table: "done: 100 % (1,024 of 1,024 chunks)", "cancelled at 43 % (412 of
 * 1,024 chunks)", "running: 12 % so far (…)". A distributed campaign counts
 * chunks; a local scan, one chunk, counts addresses. The state is printed as
 * stored, so a state this code has never heard of still reads right.
 */
export interface CampaignProgress {
  state: string;
  ended_at: string | null;
  addresses_total: number;
  chunks_total: number;
  chunks_done: number;
  chunks_failed: number;
  /** Addresses probed, as the campaign's row last counted them. */
  progress_attempted: number;
}

const num = (n: number): string => n.toLocaleString('en-US');

export function describeCompleteness(p: CampaignProgress): string {
  if (p.state === '') return 'progress unknown (stored before stripscan recorded campaign progress)';
  const byChunks = p.chunks_total > 1;
  const done = byChunks ? p.chunks_done : p.progress_attempted;
  const total = byChunks ? p.chunks_total : p.addresses_total;
  // Floor, so that a campaign one chunk short never shows 100 %.
  const percent = total > 0 ? Math.floor((100 * Math.min(done, total)) / total) : 100;
  const failed = byChunks && p.chunks_failed > 0 ? `, ${num(p.chunks_failed)} failed` : '';
  const detail = `(${num(done)} of ${num(total)} ${byChunks ? 'chunks' : 'addresses'}${failed})`;
  if (p.ended_at === null) return `${p.state}: ${percent} % so far ${detail}`;
  if (done >= total) return `${p.state}: 100 % ${detail}`;
  return `${p.state} at ${percent} % ${detail}`;
}
