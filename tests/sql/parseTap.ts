/** What a pgTAP run printed, read as TAP. */
export interface TapReport {
  readonly planned: number;
  readonly ran: number;
  /** `not ok` lines with their diagnostics. */
  readonly failures: readonly string[];
}

/** Reads TAP output lines (possibly several lines per value) into counts and failures. */
export function parseTap(values: readonly string[]): TapReport {
  const lines = values.flatMap((value) => value.split('\n'));
  let planned = 0;
  let ran = 0;
  const failures: string[] = [];
  for (const [i, line] of lines.entries()) {
    const plan = /^1\.\.(\d+)/u.exec(line);
    if (plan) planned = Number(plan[1]);
    if (/^ok \d+/u.test(line)) ran += 1;
    if (/^not ok \d+/u.test(line)) {
      ran += 1;
      const diagnostics = lines.slice(i + 1).filter((next, j, rest) => next.startsWith('#') && rest.slice(0, j).every((prior) => prior.startsWith('#')));
      failures.push([line, ...diagnostics].join('\n'));
    }
  }
  return { planned, ran, failures };
}
