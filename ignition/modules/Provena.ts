import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { DEFAULT_LIMITS } from "@provena/common";

/**
 * Every Provena contract. Parameters (all optional): `admin` receives the governance, pause and attestor-admin roles
 * (default: the deploying account); `maxFileBytes`, `dailyBytes`, `dailyFiles` set the protocol limits.
 */
export default buildModule("Provena", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const limits = {
    maxFileBytes: m.getParameter("maxFileBytes", DEFAULT_LIMITS.maxFileBytes),
    dailyBytes: m.getParameter("dailyBytes", DEFAULT_LIMITS.dailyBytes),
    dailyFiles: m.getParameter("dailyFiles", DEFAULT_LIMITS.dailyFiles),
  };
  const registry = m.contract("DatanetRegistry", [admin, limits]);
  const ledger = m.contract("ContributionLedger", [registry]);
  // Its admin grants ATTESTOR_ROLE to the attestors whose signatures register models.
  const models = m.contract("ModelRegistry", [admin]);
  return { registry, ledger, models };
});
