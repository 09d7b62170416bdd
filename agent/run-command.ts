// Running the OS tools the agent needs (launchctl, schtasks, systemctl, security, notifiers):
// always an argv array handed straight to the OS, never a shell, so no argument is ever parsed
// as shell syntax. Injectable so tests can record the calls and play back failures on machines
// that do not have the tool.

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run argv to completion; `stdin` (when given) is written to the child's standard input. */
export type RunCommand = (argv: string[], opts?: { stdin?: string }) => CommandResult;

export const runCommand: RunCommand = (argv, opts) => {
  try {
    const r = Bun.spawnSync(argv, {
      stdin: opts?.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
      stdout: "pipe",
      stderr: "pipe",
    });
    return { exitCode: r.exitCode ?? 1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  } catch (e) {
    // The program is missing (ENOENT) or may not be run: report it like a failed command.
    return { exitCode: 127, stdout: "", stderr: e instanceof Error ? e.message : String(e) };
  }
};

/** Blocking wait between retries of a one-off CLI step (install); injectable for tests. */
export type Sleep = (ms: number) => void;
export const sleepSync: Sleep = (ms) => Bun.sleepSync(ms);
