/**
 * Deno KV storage of page forms kept while the person signs in again (lib/http/parked_forms.ts),
 * under the SHA-256 of the browser's parking cookie.
 *
 * ```
 * ["parked_form", cookieHash] -> ParkedForm (expires with the form, ten minutes)
 * ```
 */

/** A form post kept over sign-in: where it was posted and its text fields, in order. */
export interface ParkedForm {
  /** Path and query the form was posted to, e.g. `/todoapp`. */
  path: string;
  fields: [name: string, value: string][];
  expiresAt: number;
}

/** Typed key builder for parked forms. */
export const parkedFormKeys = {
  form: (cookieHash: string): Deno.KvKey => ["parked_form", cookieHash],
};

/** Keeps `form` under the hash of its cookie until it expires (a newer form replaces it). */
export async function parkForm(
  kv: Deno.Kv,
  cookieHash: string,
  form: ParkedForm,
  now: number,
): Promise<void> {
  await kv.set(parkedFormKeys.form(cookieHash), form, {
    expireIn: Math.max(1, form.expiresAt - now),
  });
}

/**
 * Removes and returns the form parked under `cookieHash`, or `null` when there is none, it
 * expired, or a concurrent call took it first: one atomic check-and-delete, so a form is
 * handed out at most once.
 */
export async function takeParkedForm(
  kv: Deno.Kv,
  cookieHash: string,
  now: number,
): Promise<ParkedForm | null> {
  const key = parkedFormKeys.form(cookieHash);
  const entry = await kv.get<ParkedForm>(key);
  if (!entry.value) return null;
  const { ok } = await kv.atomic().check(entry).delete(key).commit();
  return ok && entry.value.expiresAt > now ? entry.value : null;
}
