/** The committed dashboard JSON, read the way Grafana reads it, with the fields the tests walk. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The dashboard of `stripscan domains` (domain_policies, domains). */
export const DOMAINS_DASHBOARD = 'stripscan-domains.json';

export const DASHBOARDS_DIR = fileURLToPath(new URL('../../dashboards/', import.meta.url));

export interface PanelTarget {
  refId: string;
  rawSql: string;
  editorType: string;
  format: number;
  datasource: { type: string; uid: string };
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: PanelTarget[];
}

export interface Variable {
  type: string;
  name: string;
  query: string;
  multi?: boolean;
  includeAll?: boolean;
  datasource?: { type: string; uid: string };
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(DASHBOARDS_DIR + file, 'utf8')) as Dashboard }));
}

export const queryPanels = (d: Dashboard): Panel[] => d.panels.filter((p) => p.type !== 'row');
