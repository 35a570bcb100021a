/** The sign-in message's URI rule (attestor/gateway/src/auth/siwe.ts): on its own domain, https or loopback http. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkUri, loopbackDomains } from "../../attestor/gateway/src/auth/siwe.js";

test("a sign-in URI must be on the message's domain, over https, or http on a loopback host", () => {
  assert.equal(checkUri("https://provena.example/app", "provena.example"), undefined);
  assert.equal(checkUri("http://127.0.0.1:8788", "127.0.0.1:8788"), undefined);
  assert.equal(checkUri("http://localhost:5173/", "localhost:5173"), undefined);
  assert.match(checkUri("http://provena.example/", "provena.example")!, /must be https/);
  assert.match(checkUri("https://evil.example/", "provena.example")!, /not on its domain/);
  assert.match(checkUri("https://provena.example:444/", "provena.example")!, /not on its domain/);
  assert.match(checkUri("ftp://127.0.0.1:8788/", "127.0.0.1:8788")!, /must be https or http/);
  assert.match(checkUri("not a uri", "provena.example")!, /is not a URI/);
  assert.deepEqual(loopbackDomains(8788), ["127.0.0.1:8788", "localhost:8788"]);
});
