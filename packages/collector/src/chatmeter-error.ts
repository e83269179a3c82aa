/**
 * An error the operator fixes (a flag, a file, a directory, an unreachable
 * collector): its message is one actionable line, so `cli.ts` prints it
 * without a stack trace. Every such error extends this one base.
 */
export class ChatmeterError extends Error {
  override name = 'ChatmeterError';
}
