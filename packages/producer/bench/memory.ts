/**
 * Memory: offered 10x the 4 shards' capacity for 60 s (BENCH_SECONDS or --quick for less) with the
 * default buffer bounds. Target: peak RSS - baseline RSS < maxBufferedBytes + 64 MB.
 */
import { benchSeconds, runLoad } from './loadBench.js';

void runLoad({ load: 10, seconds: benchSeconds(), memory: true });
