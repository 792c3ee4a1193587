/** The error an SDK call rejects with (@hubspot/api-client's ApiException shape). */
export interface SdkError {
  code: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** The rejection of `p`, which must fail (a call that succeeds fails the test). */
export async function failure<E = SdkError>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (e) {
    return e as E;
  }
  throw new Error('expected the call to fail');
}
