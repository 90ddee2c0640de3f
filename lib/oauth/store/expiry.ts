/** KV expiry of the OAuth records that carry their own `expiresAt` (lib/kv/expiry.ts). */
export { backstopExpireIn, expireIn } from "../../kv/expiry.ts";
