/** A verdict relay over its own outbox, quiet and quick to poll, as the e2e tests of both drive them. */
import type { LocalAccount } from "viem";
import { connect } from "../../attestor/runtime/src/chain.js";
import { migrate, type Db } from "../../attestor/runtime/src/db.js";
import { createOutbox, type OutboxParameters } from "../../attestor/runtime/src/outbox/outbox.js";
import { migrations as validatorMigrations } from "../../attestor/validator/src/migrations.js";
import { createRelay } from "../../attestor/validator/src/relay/relay.js";
import type { Chain } from "./stack.js";

export type RelayStackOptions = { rpcUrl?: string; maxBatch: number; outbox?: Partial<OutboxParameters> };

export function relayStack(chain: Chain, db: Db, account: LocalAccount, options: RelayStackOptions) {
  const view = connect(chain.deployment, options.rpcUrl ?? chain.rpcUrl);
  const outbox = createOutbox({ db, chain: view, account, log: () => {}, pollMs: 50, retryMs: 100, ...options.outbox });
  // The relay's tables, as the validator service migrates them.
  migrate(db, validatorMigrations);
  const relay = createRelay({
    db,
    chain: view,
    chainId: chain.deployment.chainId,
    outbox,
    maxBatch: options.maxBatch,
    maxWaitMs: 0,
    retryMs: 100,
    log: () => {},
  });
  return { view, outbox, relay };
}
