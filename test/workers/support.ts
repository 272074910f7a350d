/** What the worker tests share: waiting for a condition, and a logger that only reports errors. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('Expected the condition to become true, but it timed out.');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const quiet = { info: () => {}, warn: () => {}, error: (o: object, m: string) => console.error(m, o) };
