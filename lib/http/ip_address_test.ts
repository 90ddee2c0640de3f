import assert from "node:assert/strict";
import { isIpLiteral, isPublicAddress } from "./ip_address.ts";

Deno.test("public unicast addresses pass the SSRF guard", () => {
  for (
    const address of [
      "93.184.216.34",
      "8.8.8.8",
      "172.32.0.1",
      "2606:4700::1111",
      "::ffff:8.8.8.8",
      "2001:4860:4860::8888",
    ]
  ) {
    assert.equal(isPublicAddress(address), true, address);
  }
});

Deno.test("private, loopback, link-local and special addresses are refused", () => {
  for (
    const address of [
      "127.0.0.1",
      "127.255.0.9",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "[::1]",
      "fe80::1",
      "fd00::1",
      "fc12:3456::1",
      "ff02::1",
      "2001:db8::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "64:ff9b::10.0.0.1",
      "2002:0a00:0001::1",
      "::ffff:0:127.0.0.1",
      "64:ff9b:1::a00:1",
      "2001::5efe:7f00:1",
      "2001:0:4136:e378:8000:63bf:3fff:fdd2",
      "3fff::1",
      "5f00::1",
      "not-an-ip",
      "1::2::3",
    ]
  ) {
    assert.equal(isPublicAddress(address), false, address);
  }
});

Deno.test("IP literals are told apart from host names", () => {
  assert.equal(isIpLiteral("127.0.0.1"), true);
  assert.equal(isIpLiteral("[::1]"), true);
  assert.equal(isIpLiteral("client.example"), false);
});
