import { createRequire } from "node:module";
import { configVariable, defineConfig } from "hardhat/config";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatIgnitionViem from "@nomicfoundation/hardhat-ignition-viem";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatViemAssertions from "@nomicfoundation/hardhat-viem-assertions";

// Offline: use the wasm compiler shipped in the npm `solc` package instead of downloading one.
const require = createRequire(import.meta.url);
const solcPath = require.resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatViem, hardhatMocha, hardhatIgnitionViem, hardhatNetworkHelpers, hardhatViemAssertions],
  solidity: {
    profiles: {
      default: {
        version: "0.8.37",
        path: solcPath,
        settings: { optimizer: { enabled: true, runs: 10_000 }, viaIR: true, evmVersion: "cancun" },
      },
    },
  },
  paths: { sources: "./contracts", tests: { mocha: "./test/contracts" } },
  networks: {
    // What `npm start` serves (it sets the URL); `npm run deploy -- --network localhost` reaches it too.
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    l2: {
      type: "http",
      chainType: "op",
      url: configVariable("L2_RPC_URL"),
      accounts: [configVariable("L2_DEPLOYER_KEY")],
      chainId: Number(process.env.L2_CHAIN_ID ?? 0) || undefined,
    },
  },
});
