// Imported first by main.ts, so it runs before any other module loads: the synth runs without the two
// debugging aids that cost most of its time and memory, and gets them back before an error is printed.
//
// - Source maps. tsx turns them on, and Node then decodes and keeps the inline source map of every module it
//   loads: cdktf's 370 files and the providers' each carry one.
// - Token creation stacks. cdktf captures a full stack trace, formatted, for every token it creates (they
//   appear only in a token resolution error). Formatting is V8's `Error.prepareStackTrace`; during the synth it
//   returns "", so each capture costs the walk only. An error thrown meanwhile is formatted when first read,
//   after `restoreDiagnostics`, so it still prints its stack.
//
// Off before any module loads, rather than after main.ts's imports, saves a further 125 ms and 8 MB of a synth of
// every environment (1239 → 1114 ms, 150 → 142 MB, interleaved runs beside `npm run bench:synth`'s apps). Set
// NODE_OPTIONS=--enable-source-maps to keep both, e.g. to read a crash's stack in TypeScript lines.

/** Whether the user asked for source-mapped stacks, in NODE_OPTIONS or on node's command line. */
export function diagnosticsRequested(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ""): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].includes("--enable-source-maps");
}

const formatStack = Error.prepareStackTrace;
let off = false;

/** Source maps and stack formatting off for the synth (unless asked for); run once, as this module loads. */
function quietDiagnostics(): void {
  if (diagnosticsRequested()) return;
  off = true;
  process.setSourceMapsEnabled(false);
  Error.prepareStackTrace = () => "";
}

/** Both back as they were, before an error is printed. */
export function restoreDiagnostics(): void {
  if (!off) return;
  off = false;
  Error.prepareStackTrace = formatStack;
  process.setSourceMapsEnabled(true);
}

quietDiagnostics();
