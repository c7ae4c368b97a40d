/** One invalid setting: the variable it concerns and what is wrong and expected (never a secret). */
export interface ConfigProblem {
  /** The environment variable, e.g. `NAVPLANE_GATEWAY_PORT` (`NAVPLANE_CONFIG` for the file itself). */
  readonly variable: string;
  /** What is wrong and what was expected, e.g. `must be an integer from 0 to 65535 (got "abc")`. */
  readonly message: string;
}

/** One line per problem: `NAVPLANE_GATEWAY_PORT: must be an integer from 0 to 65535 (got "abc")`. */
export function formatConfigProblems(problems: readonly ConfigProblem[]): string[] {
  return problems.map((problem) => `${problem.variable}: ${problem.message}`);
}
