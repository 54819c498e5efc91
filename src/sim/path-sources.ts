/**
 * The client addresses the path personas' middleboxes act on (`stripscan sim
 * --path-sources 127.0.0.2,…`): a fixed list, given when the fleet starts
 * and written into the manifest (`expectFrom`), so that a test knows before
 * it scans what each vantage bound to a source address will see. Loopback
 * literals only, as everything the fleet talks to. Empty (the default): no
 * path personas, and the fleet is exactly the one before they existed.
 */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import type { Persona } from './persona.js';
import { PATH_PERSONAS } from './path-personas.js';
import { PERSONAS } from './personas.js';

export class PathSources {
  readonly list: readonly string[];
  private readonly set: ReadonlySet<string>;

  constructor(values: readonly string[] = []) {
    const list: string[] = [];
    for (const value of values.flatMap((v) => v.split(','))) {
      const family = isIP(value);
      if (family === 0 || (family === 4 ? !value.startsWith('127.') : value !== '::1')) {
        throw new UsageError(
          `--path-sources ${JSON.stringify(value)}: expected a loopback address literal (127.x.y.z or ::1)`,
        );
      }
      if (list.includes(value)) throw new UsageError(`--path-sources ${value}: given twice`);
      list.push(value);
    }
    this.list = list;
    this.set = new Set(list);
  }

  get enabled(): boolean {
    return this.list.length > 0;
  }

  /** Whether a connection from `remote` passes the path personas' middleboxes. */
  has(remote: string | undefined): boolean {
    if (remote === undefined) return false;
    return this.set.has(remote.startsWith('::ffff:') ? remote.slice(7) : remote);
  }

  /** The fleet's personas: the path personas join the round robin only when there are path sources. */
  personas(): readonly Persona[] {
    return this.enabled ? [...PERSONAS, ...PATH_PERSONAS] : PERSONAS;
  }
}

export const NO_PATH_SOURCES = new PathSources();
