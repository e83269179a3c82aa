/** Types of task.mjs for the tests that check its argument handling. */
export interface TaskPlan {
  /** Quiet steps after the install: a label and the pnpm arguments. */
  steps: [label: string, pnpmArgs: string[]][];
  /** The command whose output is the point of the task, or null (build only). */
  command: { program: string; args: string[] } | null;
}

export function taskPlan(task: string, rest: string[]): TaskPlan | null;

/** pnpm's install arguments for an environment (`CI` set: the lockfile is frozen). */
export function installArgs(env: Record<string, string | undefined>): string[];
