/**
 * JSON text typed as the wire shape a test expects (an SDK type such as `OpenAI.ChatCompletion`, or the test's own).
 * Nothing is checked here: the assertions that follow are the check, so this belongs in tests only.
 */
export function parseJsonAs<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** A fetch response's JSON body typed as the wire shape a test expects (see parseJsonAs). */
export async function readJsonAs<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/**
 * A parsed JSON `body` (a supertest response's, whose type is `any`) typed as the wire shape a test expects (see
 * parseJsonAs); `bodyAs<unknown>(res)` when the test only compares it.
 */
export function bodyAs<T>(response: { readonly body: unknown }): T {
  return response.body as T;
}
