/**
 * Upload receipts (EIP-712), exactly as `ContributionLedger.contributeWithReceipt` checks them: a gateway's
 * signature that these items were uploaded by this contributor to this Datanet, valid until a deadline.
 */
import { encodeAbiParameters, keccak256, type Address, type Hex, type LocalAccount } from "viem";
import { verdictDomain } from "./verdicts.js";

/** One item of `contribute(datanetId, items)`. */
export type ContributionItem = { contentHash: Hex; cid: Hex; size: number; fileType: number };

export const receiptTypes = {
  UploadReceipt: [
    { name: "contributor", type: "address" },
    { name: "datanetId", type: "uint256" },
    { name: "itemsHash", type: "bytes32" },
    { name: "deadline", type: "uint64" },
    // Named in what is signed, so that one signature stands for one gateway only.
    { name: "gateway", type: "address" },
  ],
} as const;

/** `keccak256(abi.encode(items))`, as the ledger hashes the batch. */
export const itemsHash = (items: readonly ContributionItem[]): Hex =>
  keccak256(
    encodeAbiParameters(
      [
        {
          type: "tuple[]",
          components: [
            { name: "contentHash", type: "bytes32" },
            { name: "cid", type: "bytes" },
            { name: "size", type: "uint32" },
            { name: "fileType", type: "uint8" },
          ],
        },
      ],
      [items.map((item) => ({ ...item }))],
    ),
  );

export type ReceiptFor = {
  contributor: Address;
  datanetId: bigint;
  items: readonly ContributionItem[];
  deadline: bigint;
  gateway: Address;
};

/** Typed data ready for viem's `signTypedData`, in the ledger's domain (the verdicts' domain). */
export const receiptTypedData = (chainId: number, ledger: Address, receipt: ReceiptFor) =>
  ({
    domain: verdictDomain(chainId, ledger),
    types: receiptTypes,
    primaryType: "UploadReceipt",
    message: {
      contributor: receipt.contributor,
      datanetId: receipt.datanetId,
      itemsHash: itemsHash(receipt.items),
      deadline: receipt.deadline,
      gateway: receipt.gateway,
    },
  }) as const;

/** The `receipt` argument of `contributeWithReceipt`, signed by `gateway`. */
export const signedReceipt = async (
  gateway: LocalAccount,
  chainId: number,
  ledger: Address,
  receipt: Omit<ReceiptFor, "gateway">,
): Promise<{ gateway: Address; deadline: bigint; signature: Hex }> => ({
  gateway: gateway.address,
  deadline: receipt.deadline,
  signature: await gateway.signTypedData(receiptTypedData(chainId, ledger, { ...receipt, gateway: gateway.address })),
});
