/* global process */
// Preloaded into the measured process (node --require): prints its peak resident set size and CPU time on exit.
process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\nmax-rss-kib ${usage.maxRSS} cpu-micros ${usage.userCPUTime + usage.systemCPUTime}\n`);
});
