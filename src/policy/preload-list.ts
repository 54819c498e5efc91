/**
 * EFF's STARTTLS Everywhere preload list as a policy source: the JSON file a
 * user supplies (`--preload-list FILE`; stripscan never downloads it). The
 * list was retired in 2020, so a verdict that rests on it alone is kept
 * apart (policy_source `preload`).
 *
 * Shape: one object with `timestamp`, `expires`, `version`, `author`,
 * `pinsets`, `policy-aliases` and `policies`. Each policy maps a mail domain
 * (exact match) to `mode` (testing, enforce) and `mxs` (host names, or
 * suffixes with a leading dot that match at any depth), or names a
 * `policy-alias` holding those. Other fields (`pin`, `report`, `mta-sts`)
 * are read past.
 */
import { z } from 'zod';
import { canonicalHost } from './host-pattern.js';

export const PRELOAD_MODES = ['testing', 'enforce'] as const;
export type PreloadMode = (typeof PRELOAD_MODES)[number];

const PolicyBody = z.looseObject({ mode: z.enum(PRELOAD_MODES), mxs: z.array(z.string().min(1)).min(1) });
const PolicyEntry = z.union([PolicyBody, z.looseObject({ 'policy-alias': z.string().min(1) })]);

export const PreloadListFile = z.looseObject({
  timestamp: z.union([z.string(), z.number()]).optional(),
  expires: z.union([z.string(), z.number()]).optional(),
  version: z.string().optional(),
  author: z.string().optional(),
  pinsets: z.record(z.string(), z.unknown()).optional(),
  'policy-aliases': z.record(z.string(), PolicyBody).optional(),
  policies: z.record(z.string(), PolicyEntry),
});
export type PreloadListFile = z.infer<typeof PreloadListFile>;

export interface PreloadPolicy {
  mode: PreloadMode;
  mxs: string[];
  /** The alias the domain's entry named, if it named one. */
  alias: string | null;
}

export class PreloadList {
  private constructor(private readonly byDomain: ReadonlyMap<string, PreloadPolicy>) {}

  static readonly EMPTY = new PreloadList(new Map());

  get size(): number {
    return this.byDomain.size;
  }

  /** The policy listed for exactly this domain, or null. */
  policyOf(domain: string): PreloadPolicy | null {
    return this.byDomain.get(canonicalHost(domain)) ?? null;
  }

  /**
   * The list from its parsed JSON. Throws an Error naming the first problem
   * (a field of the wrong shape, an alias that is not defined); the CLI turns
   * it into a usage error naming the file.
   */
  static fromJson(json: unknown): PreloadList {
    const parsed = PreloadListFile.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${issue?.path.join('.') || 'the top level'}: ${issue?.message ?? 'not a preload list'}`);
    }
    const aliases = parsed.data['policy-aliases'] ?? {};
    const byDomain = new Map<string, PreloadPolicy>();
    for (const [domain, entry] of Object.entries(parsed.data.policies)) {
      let body: z.infer<typeof PolicyBody>;
      let alias: string | null = null;
      const direct = PolicyBody.safeParse(entry);
      if (direct.success) {
        body = direct.data;
      } else {
        alias = String(entry['policy-alias']);
        const found = aliases[alias];
        if (found === undefined)
          throw new Error(`policies.${domain}: policy-alias ${JSON.stringify(alias)} is not defined in policy-aliases`);
        body = found;
      }
      byDomain.set(canonicalHost(domain), { mode: body.mode, mxs: body.mxs.map(canonicalHost), alias });
    }
    return new PreloadList(byDomain);
  }
}

/** An `mxs` entry `.example.com` matches any name under example.com; any other entry only itself. */
export function mxMatchesPreload(mxHost: string, mxs: readonly string[]): boolean {
  const host = canonicalHost(mxHost);
  return mxs.some((entry) =>
    entry.startsWith('.') ? host.endsWith(entry) && host.length > entry.length : host === entry,
  );
}
