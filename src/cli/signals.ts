// Ctrl-C / SIGTERM handling for the `mellm` process, installed as the bundle's first module so that a
// signal that arrives while the heavy modules (sharp, onnxruntime) are still loading cancels cleanly too.
// The first signal aborts the running command (it stops and cleans up); a second one exits at once.
export const cliAbort = new AbortController();

let interrupts = 0;
function onSignal(): void {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  cliAbort.abort();
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
