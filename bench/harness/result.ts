/** One line of the results table and of bench/results/latest.json. */
export interface BenchRow {
  suite: string;
  metric: string;
  unit: string;
  /** Every run's value, in run order. */
  runs: number[];
  median: number;
  /** The median divided by the comparison's median, when there is one. */
  ratio?: { against: string; value: number };
  note?: string;
}

export interface SuiteContext {
  runs: number;
  log(message: string): void;
}
