import assert from "node:assert/strict";
import { createTestApp } from "../../testing/app.ts";
import { hashSecret, newSecret } from "../secrets.ts";
import { approvedCode, exchangeCode } from "../../testing/oauth.ts";
import {
  grantKeys,
  type IssuedChain,
  type StoredGrant,
  type StoredRefreshToken,
} from "./grants.ts";
import { type RotateOutcome, rotateRefreshToken } from "./refresh_tokens.ts";

const GRACE_MS = 10_000;

/** A live refresh token from the real flow, and a rotation of it at `now` with a new successor. */
async function refreshSetup() {
  const app = await createTestApp();
  const { clientId, verifier, code } = await approvedCode(app);
  const { refresh_token } = await exchangeCode(app, clientId, code, verifier);
  const tokenHash = await hashSecret(refresh_token);
  const rotate = async (now: number): Promise<RotateOutcome> => {
    const successorHash = await hashSecret(newSecret());
    const next = (grant: StoredGrant): IssuedChain => ({
      grant: { ...grant, refreshHash: successorHash },
      refreshHash: successorHash,
      refresh: {
        grantId: grant.grantId,
        userId: grant.userId,
        clientId: grant.clientId,
        expiresAt: grant.expiresAt,
        rotatedAt: null,
      },
    });
    return await rotateRefreshToken(app.kv, tokenHash, now, () => {}, next, {
      graceMs: GRACE_MS,
      sealedSuccessor: `sealed-${successorHash}`,
    });
  };
  return { app, tokenHash, rotate };
}

Deno.test("rotateRefreshToken() run twice at once rotates once; the other call gets that successor", async () => {
  const { app, rotate } = await refreshSetup();
  using _ = app;
  const now = Date.now();
  const outcomes = await Promise.all([rotate(now), rotate(now), rotate(now)]);
  const rotated = outcomes.filter((o) => o.kind === "rotated");
  assert.equal(rotated.length, 1, JSON.stringify(outcomes.map((o) => o.kind)));
  const { chain } = rotated[0] as Extract<RotateOutcome, { kind: "rotated" }>;
  for (const outcome of outcomes.filter((o) => o.kind !== "rotated")) {
    assert.equal(outcome.kind, "grace");
    const grace = outcome as Extract<RotateOutcome, { kind: "grace" }>;
    assert.equal(grace.sealedSuccessor, `sealed-${chain.refreshHash}`);
    assert.equal(grace.grant.refreshHash, chain.refreshHash);
  }
});

Deno.test("rotateRefreshToken() revokes on reuse at the window's end and for a pre-grace record", async () => {
  const { app, rotate } = await refreshSetup();
  using _ = app;
  const now = Date.now();
  assert.equal((await rotate(now)).kind, "rotated");
  assert.equal((await rotate(now + GRACE_MS - 1)).kind, "grace");
  assert.equal((await rotate(now + GRACE_MS)).kind, "reused");
  const grantsLeft = await Array.fromAsync(app.kv.list({ prefix: ["oauth_grants"] }));
  assert.equal(grantsLeft.length, 0, "the grant is gone");

  // A token rotated before grace windows existed has no successor: its reuse revokes at once.
  const second = await refreshSetup();
  using __ = second.app;
  const entry = await second.app.kv.get<StoredRefreshToken>(grantKeys.refresh(second.tokenHash));
  await second.app.kv.set(entry.key, { ...entry.value!, rotatedAt: now });
  assert.equal((await second.rotate(now + 1)).kind, "reused");
  const grants = await Array.fromAsync(second.app.kv.list({ prefix: ["oauth_grants"] }));
  assert.equal(grants.length, 0, "the grant is gone");
});
