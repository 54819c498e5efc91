/**
 * Analyst queries kept as .sql files in queries/. The first line is
 * `-- <description>`; parameters are ClickHouse query parameters
 * ({name:Type}), so user values never become SQL text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { UsageError } from '../errors.js';

export const QUERIES_DIR = join(PACKAGE_ROOT, 'queries');

export interface SavedQuery {
  name: string;
  description: string;
  sql: string;
  params: string[];
}

export function listSavedQueries(dir = QUERIES_DIR): SavedQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const sql = readFileSync(`${dir}/${f}`, 'utf8');
      const description = /^--\s*(.*)$/m.exec(sql)?.[1] ?? '';
      const params = [...new Set([...sql.matchAll(/\{(\w+):[^}]+\}/g)].map((m) => m[1] ?? ''))];
      return { name: f.replace(/\.sql$/, ''), description, sql: sql.trim().replace(/;$/, ''), params };
    });
}

export function findSavedQuery(name: string, dir = QUERIES_DIR): SavedQuery {
  const all = listSavedQueries(dir);
  const found = all.find((q) => q.name === name);
  if (!found) {
    throw new UsageError(`--saved ${JSON.stringify(name)}: no such query; known: ${all.map((q) => q.name).join(', ')}`);
  }
  return found;
}

/** `key=value` from --param, validated against the query's parameters. */
export function parseParams(pairs: string[], allowed: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    if (eq < 1 || !/^\w+$/.test(key)) throw new UsageError(`--param ${JSON.stringify(pair)}: expected key=value`);
    if (allowed && !allowed.includes(key)) {
      throw new UsageError(
        `--param ${JSON.stringify(pair)}: this query takes ${allowed.join(', ') || 'no parameters'}`,
      );
    }
    out[key] = pair.slice(eq + 1);
  }
  for (const key of allowed ?? []) {
    if (!(key in out)) throw new UsageError(`--param ${key}=…: required by this query`);
  }
  return out;
}
