/**
 * The margin Spark is sized with, shared by the plan's derivation from the expected load (config/spark-sizing.ts)
 * and status's advice from what runs (src/deployer/health/throughput.ts), so that both advise the same sizing.
 */

/** At the peak, the busiest the cores may be: a batch leaves room for the next one's fixed cost, a slow node and a replay. */
export const TARGET_BUSY = 0.5;
