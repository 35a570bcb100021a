/** The part of autocannon 9 (an HTTP load generator; it ships no types) that `bench-indexer.ts` uses. */
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  /** Latencies in ms, requests per second (one sample a second); percentiles as `p99_9` for 99.9. */
  export type Histogram = { average: number; mean: number; stddev: number; min: number; max: number; total: number } & {
    p1: number;
    p10: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
  };

  export type Result = {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    "2xx": number;
    latency: Histogram & { totalCount: number };
    requests: Histogram & { sent: number };
    throughput: Histogram;
  };

  export type Options = { url: string; connections?: number; duration?: number; pipelining?: number; timeout?: number };

  export default function autocannon(options: Options, done: (error: Error | null, result: Result) => void): EventEmitter;
}
