/**
 * The ending every CI script shares: run its main, then exit with the code it returns (or print the
 * line it returns); any error is one `error: ...` line on stderr and exit code 1.
 */
export function runCli(main: () => Promise<number | string>, describeError: (err: unknown) => string = (err) => (err as Error).message): void {
  main().then(
    (result) => {
      if (typeof result === "number") process.exit(result);
      console.log(result);
    },
    (err: unknown) => {
      console.error(`error: ${describeError(err)}`);
      process.exit(1);
    },
  );
}
