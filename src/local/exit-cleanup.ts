/**
 * One cleanup for every way a long-running local command can end: its own end, Ctrl-C or SIGTERM, an uncaught
 * exception and an unhandled rejection. The local stack's processes (Kafka, HDFS, Livy, the driver, the Python
 * workers) outlive Node when nobody stops them, so an error anywhere must still stop them.
 */

export interface ExitCleanup {
  /** Runs the cleanup (once, whoever asks first) and resolves when it is done. */
  run(): Promise<void>;
  /** Aborted on the first SIGINT or SIGTERM: the command winds down and then calls run(). */
  stopRequested: AbortSignal;
}

/**
 * Registers the handlers. A signal only aborts `stopRequested` (the command stops its work in order, then runs the
 * cleanup); an uncaught error runs the cleanup at once and exits with code 1.
 */
export function onEveryExit(cleanup: () => Promise<void>, log: (line: string) => void): ExitCleanup {
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  const run = (): Promise<void> => {
    running ??= cleanup().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
    return running;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) return;
    log(`\n${signal}: stopping every process this run started (no need to press Ctrl-C again)`);
    stop.abort();
  };
  const onError = (kind: string) => (err: unknown) => {
    log(`${kind}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    stop.abort();
    void run().finally(() => process.exit(1));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("uncaughtException", onError("uncaught error"));
  process.on("unhandledRejection", onError("unhandled rejection"));
  return { run, stopRequested: stop.signal };
}
