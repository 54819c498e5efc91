/**
 * A target set from target strings as given (`ip,name` lines included): the
 * names split off (TargetNames), the rest built into the set. The CLI builds
 * it from flags, a campaign worker from the campaign's spec, a scan process
 * from its parent's recipe — the same strings give the same set everywhere.
 */
import { TargetNames } from './named-targets.js';
import { buildTargetSet, type TargetSet, type TargetSetOptions } from './target-set.js';

export function buildNamedTargetSet(opts: TargetSetOptions): { set: TargetSet; names: TargetNames } {
  const { specs, names } = TargetNames.split(opts.specs);
  return { set: buildTargetSet({ ...opts, specs }), names };
}
