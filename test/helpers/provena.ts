/** A deployed Provena (through the same Ignition module as `npm start`) and the calls tests repeat. */
import { network } from "hardhat";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { keccak256, toHex, type Address, type Hex } from "viem";
import ProvenaModule from "../../ignition/modules/Provena.js";
import {
  rawCidOfDigest,
  fileTypeByName,
  modalityCode,
  type FileTypeName,
  type Modality,
  Reason,
  verdictTypedData,
  type Verdict,
} from "@provena/common";

export const connection = await network.create();
export const { viem, networkHelpers, ignition } = connection;

export async function deployProvena() {
  const { registry, ledger, models } = await ignition.deploy(ProvenaModule);
  const wallets = await viem.getWalletClients();
  type Wallet = (typeof wallets)[number];
  if (wallets.length < 7) throw new Error("the test network needs at least 7 accounts");
  const [admin, owner, alice, bob, carol, relayer, outsider] = wallets as [Wallet, Wallet, Wallet, Wallet, Wallet, Wallet, Wallet];
  const publicClient = await viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  // Validators sign off-chain with their own keys; they never send a transaction.
  const validators = [0, 1, 2, 3].map(() => privateKeyToAccount(generatePrivateKey()));
  return { registry, ledger, models, admin, owner, alice, bob, carol, relayer, outsider, publicClient, chainId, validators };
}

export type Provena = Awaited<ReturnType<typeof deployProvena>>;

export type DatanetOptions = {
  modality?: Modality;
  validators?: readonly Address[];
  quorum?: number;
  dailyByteCap?: bigint;
  isPublic?: boolean;
  name?: string;
};

/** Creates a Datanet owned by `p.owner` and returns its id. */
export async function createDatanet(p: Provena, options: DatanetOptions = {}): Promise<bigint> {
  const validators = options.validators ?? [p.validators[0]!.address];
  await p.registry.write.createDatanet(
    [
      {
        name: options.name ?? "Test datanet",
        metadataCid: toHex("bafy-metadata"),
        modality: modalityCode(options.modality ?? "text"),
        validators: [...validators],
        quorum: options.quorum ?? 1,
        dailyByteCap: options.dailyByteCap ?? 0n,
        isPublic: options.isPublic ?? true,
      },
    ],
    { account: p.owner.account },
  );
  return p.registry.read.datanetCount();
}

let contentCounter = 0;
/** A contribution item with a fresh content hash. */
export function item(size: number, type: FileTypeName = "txt", contentHash?: Hex) {
  const hash = contentHash ?? keccak256(toHex(`content-${++contentCounter}-${Math.random()}`));
  return { contentHash: hash, cid: rawCidOfDigest(hash), size, fileType: fileTypeByName(type).code };
}

export async function signVerdict(
  p: Provena,
  signer: PrivateKeyAccount,
  verdict: Partial<Verdict> & { contribution: Hex },
  domain: { chainId?: number; ledger?: Address } = {},
  /** The validator the verdict is cast by: the signer, or a contract wallet that accepts its signatures. */
  as: Address = signer.address,
) {
  const full: Verdict = {
    accept: true,
    score: 80,
    reason: Reason.Accepted,
    deadline: BigInt((await networkHelpers.time.latest()) + 86_400),
    ...verdict,
  };
  const signature = await signer.signTypedData(verdictTypedData(domain.chainId ?? p.chainId, domain.ledger ?? p.ledger.address, full, as));
  return { verdict: full, validator: as, signature };
}
