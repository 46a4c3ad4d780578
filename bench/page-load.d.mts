export interface Stats { n: number; median: number; p95: number; min: number; max: number; mean: number }
export declare function benchPageLoad(opts?: { n?: number; latencyRuns?: number; wakeRuns?: number; log?: (s: string) => void }): Promise<{
  chain: string;
  withoutMs: Stats;
  listenersOnlyMs: Stats;
  withMs: Stats;
  overheadRatio: number;
  listenersOnlyRatio: number;
  ownOverheadRatio: number;
  findingLatencyMs: Stats;
  wakeToReadyMs: Stats;
}>;
