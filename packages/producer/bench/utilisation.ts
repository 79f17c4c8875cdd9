/**
 * Shard utilisation: 4 shards through the shard-limit proxy, offered 3x their capacity for 60 s
 * (BENCH_SECONDS or --quick for less). Target: >= 95% of the shard limit, <= 1% entries throttled.
 */
import { benchSeconds, runLoad } from './loadBench.js';

void runLoad({ load: 3, seconds: benchSeconds(), memory: false });
