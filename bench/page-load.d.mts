export interface Stats { n: number; median: number; p95: number; min: number; max: number; mean: number }
export interface PageLoadFigures {
  withoutMs: Stats;
  listenersOnlyMs: Stats;
  withMs: Stats;
  overheadRatio: number;
  listenersOnlyRatio: number;
  ownOverheadRatio: number;
  /** mean CPU time of each browser's whole process tree per load */
  cpuMsPerLoad: { without: number; listenersOnly: number; with: number };
  cpuRatio: number;
  listenersOnlyCpuRatio: number;
}
export interface OptionCost { variant: string; what: string; medianMs: number; ratio: number; roundRatioMedian: number; roundRatioIqr: [number, number]; cpuMs: number; cpuRatio: number }
export declare function benchPageLoad(opts?: { n?: number; latencyRuns?: number; wakeRuns?: number; optionRounds?: number; log?: (s: string) => void }): Promise<
  PageLoadFigures & {
    chain: string;
    findingLatencyMs: Stats;
    wakeToReadyMs: Stats;
    ordinary: PageLoadFigures & { page: string };
    optionCosts?: { rounds: number; pages: string[]; costs: Record<string, OptionCost[]> };
  }
>;
