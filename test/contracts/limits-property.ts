/**
 * Randomized sequences of contributions over several UTC days, by two contributors to two Datanets
 * (one following the protocol cap, one with a lower cap). Each outcome must be exactly what the shared
 * rule (`common/limits`) says, and, independently of that rule, the accepted history must never exceed a
 * limit on any day.
 */
import { expect } from "chai";
import fc from "fast-check";
import { type BaseError, ContractFunctionRevertedError } from "viem";
import { allowanceLeft, checkBatch, utcDay, type ProtocolLimits, type Usage } from "@provena/common";
import { createDatanet, deployProvena, item, networkHelpers } from "../helpers/provena.js";

// Small limits so that random sequences reach every one of them often.
const LIMITS: ProtocolLimits = { maxFileBytes: 1_000, dailyBytes: 5_000, dailyFiles: 8 };
const CAPS = [0, 2_500] as const;

type Op = { kind: "wait"; seconds: number } | { kind: "contribute"; who: 0 | 1; datanet: 0 | 1; sizes: number[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 40 * 3600 }) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("contribute" as const),
      who: fc.constantFrom(0 as const, 1 as const),
      datanet: fc.constantFrom(0 as const, 1 as const),
      sizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.constantFrom(0, 1_001)), { minLength: 0, maxLength: 9 }),
    }),
  },
);

async function fixture() {
  const p = await deployProvena();
  await p.registry.write.setLimits([{ ...LIMITS, dailyBytes: BigInt(LIMITS.dailyBytes) }]);
  const datanets = [await createDatanet(p), await createDatanet(p, { dailyByteCap: BigInt(CAPS[1]) })];
  return { p, datanets };
}

const revertName = (error: unknown): string => {
  const reverted = (error as BaseError).walk?.((e) => e instanceof ContractFunctionRevertedError);
  const name = (reverted as ContractFunctionRevertedError | null)?.data?.errorName;
  if (!name) throw error;
  return name;
};

describe("ContributionLedger: limit accounting (property)", () => {
  it("random sequences over several days never exceed a limit and never refuse an allowed batch", async function () {
    this.timeout(240_000);
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 30 }), async (ops) => {
        const { p, datanets } = await networkHelpers.loadFixture(fixture);
        const accounts = [p.alice.account, p.bob.account] as const;
        const global = new Map<number, Usage>();
        const local = new Map<string, Usage>();
        const accepted: { who: number; datanet: number; day: number; sizes: number[] }[] = [];
        let now = await networkHelpers.time.latest();

        for (const op of ops) {
          if (op.kind === "wait") {
            now += op.seconds;
            continue;
          }
          now += 1;
          const key = `${op.who}:${op.datanet}`;
          const state = { global: global.get(op.who), datanet: local.get(key) };
          const expected = checkBatch(state, op.sizes, CAPS[op.datanet], LIMITS, now);

          await networkHelpers.time.setNextBlockTimestamp(now);
          let outcome: string;
          try {
            await p.ledger.write.contribute([datanets[op.datanet]!, op.sizes.map((size) => item(size))], {
              account: accounts[op.who],
              gas: 5_000_000n, // no estimate: the transaction is mined, at `now`, even when it reverts
            });
            outcome = "ok";
          } catch (error) {
            outcome = revertName(error);
          }
          expect(outcome, `${JSON.stringify(op)} at ${now}`).to.equal(expected.ok ? "ok" : expected.error);
          if (expected.ok) {
            global.set(op.who, expected.global);
            local.set(key, expected.datanet);
            accepted.push({ who: op.who, datanet: op.datanet, day: utcDay(now), sizes: op.sizes });
          }
          const [bytesLeft, filesLeft, resetsAt] = await p.ledger.read.allowance([accounts[op.who].address, datanets[op.datanet]!]);
          const model = allowanceLeft({ global: global.get(op.who), datanet: local.get(key) }, CAPS[op.datanet], LIMITS, now);
          expect([bytesLeft, filesLeft, resetsAt]).to.deep.equal([
            BigInt(model.bytesLeft),
            BigInt(model.filesLeft),
            BigInt(model.resetsAt),
          ]);
        }

        // Independent of the model: what was accepted respects every limit on every day.
        const sums = new Map<string, { bytes: number; files: number }>();
        const add = (k: string, sizes: number[]) => {
          const s = sums.get(k) ?? { bytes: 0, files: 0 };
          s.bytes += sizes.reduce((a, b) => a + b, 0);
          s.files += sizes.length;
          sums.set(k, s);
        };
        for (const a of accepted) {
          expect(Math.max(...a.sizes)).to.be.at.most(LIMITS.maxFileBytes);
          add(`g:${a.who}:${a.day}`, a.sizes);
          add(`d:${a.who}:${a.datanet}:${a.day}`, a.sizes);
        }
        for (const [k, s] of sums) {
          if (k.startsWith("g:")) {
            expect(s.files).to.be.at.most(LIMITS.dailyFiles);
            expect(s.bytes).to.be.at.most(LIMITS.dailyBytes);
          } else if (k.split(":")[2] === "1") {
            expect(s.bytes).to.be.at.most(CAPS[1]);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
