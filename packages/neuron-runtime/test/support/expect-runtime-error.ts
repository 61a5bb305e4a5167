import { expect } from 'vitest';

/** Expect a promise to reject with a runtime error of this code whose message matches. */
export async function expectRejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<Error> {
  const error = await p.then(
    () => {
      throw new Error(`expected a rejection with ${code}, but it resolved`);
    },
    (e: unknown) => e as Error,
  );
  expect((error as { code?: string }).code, error.message).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}

/** Expect a function to throw a runtime error of this code whose message matches. */
export function expectThrows(fn: () => unknown, code: string, message?: RegExp): Error {
  let error: Error | undefined;
  try {
    fn();
  } catch (e) {
    error = e as Error;
  }
  expect(error, `expected a throw with ${code}`).toBeDefined();
  expect((error as { code?: string }).code, error!.message).toBe(code);
  if (message) expect(error!.message).toMatch(message);
  return error!;
}
