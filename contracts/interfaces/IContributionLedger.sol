// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDatanetRegistry} from "./IDatanetRegistry.sol";

/// @title IContributionLedger
/// @notice Contributions to Datanets under the daily limits, finalized by validators' EIP-712 verdicts once a
/// Datanet's quorum agrees. A contribution's id is `keccak256(abi.encode(datanetId, contentHash))`, which
/// also makes the same content unique per Datanet.
interface IContributionLedger {
    /// @dev Numbered as `Status` in `@provena/common`.
    enum Status {
        None,
        Pending,
        Accepted,
        Rejected
    }

    /// @dev Exactly one slot. `score` is set on acceptance: the accepting validators' mean score in
    /// hundredths (0..10000). The tally fields count the votes cast while pending.
    struct Contribution {
        address contributor;
        uint32 datanetId;
        uint8 fileType;
        Status status;
        uint16 score;
        uint8 accepts;
        uint8 rejects;
        uint16 acceptScoreSum;
    }

    struct ContributionInput {
        bytes32 contentHash; // SHA-256 of the file's bytes
        bytes cid; // content address of the same bytes
        uint32 size;
        uint8 fileType;
    }

    /// @dev A gateway's receipt for an upload: what makes a contribution the uploader's alone. The gateway
    /// signs EIP-712 `UploadReceipt(address contributor,uint256 datanetId,bytes32 itemsHash,uint64 deadline,address gateway)`
    /// with `itemsHash = keccak256(abi.encode(items))`; the contributor is the caller, so a copied receipt is useless.
    struct UploadReceipt {
        address gateway;
        uint64 deadline;
        bytes signature;
    }

    /// @dev What a validator signs (EIP-712 type `Verdict`).
    struct Verdict {
        bytes32 contribution;
        bool accept;
        uint8 score;
        uint16 reason;
        uint64 deadline;
    }

    struct SignedVerdict {
        Verdict verdict;
        address validator; // named explicitly so that EIP-1271 contract wallets can sign
        bytes signature;
    }

    /// @notice One event per batch, as ERC-1155's `TransferBatch`: per-file topics would cost more than the
    /// file's own storage. Each item's id is `contributionId(datanetId, item.contentHash)`.
    event Contributed(uint256 indexed datanetId, address indexed contributor, ContributionInput[] items);
    event VoteCast(bytes32 indexed id, address indexed validator, bool accept, uint8 score, uint16 reason);
    /// @dev A vote that does not count: the contribution was already final (`status` says how), or the
    /// validator had already voted on it (`status` Pending). Recorded nowhere but here.
    event VoteSkipped(bytes32 indexed id, address indexed validator, Status status);
    event ContributionFinalized(bytes32 indexed id, Status status, uint16 score);

    error EmptyBatch();
    error BatchTooLarge(uint256 count, uint256 max);
    error NotAllowListed(uint256 datanetId, address contributor);
    error FileTypeNotAllowed(uint256 index, uint8 fileType, uint8 modality);
    error EmptyFile(uint256 index);
    error FileTooLarge(uint256 index, uint256 size, uint256 maxFileBytes);
    error InvalidCid(uint256 index);
    error DuplicateContent(uint256 datanetId, bytes32 contentHash);
    error DailyFileLimitExceeded(uint256 requested, uint256 remaining);
    error DailyByteLimitExceeded(uint256 requested, uint256 remaining);
    error DatanetByteCapExceeded(uint256 datanetId, uint256 requested, uint256 remaining);
    error UnknownContribution(bytes32 id);
    error VerdictExpired(bytes32 id, uint64 deadline);
    error InvalidScore(uint8 score);
    error InvalidSignature(bytes32 id, address validator);
    error NotValidator(uint256 datanetId, address validator);
    error QuorumNotReached(bytes32 id, uint8 accepts, uint8 rejects, uint8 quorum);
    error ReceiptRequired(uint256 datanetId);
    error ReceiptExpired(uint64 deadline);
    error NotGateway(address gateway);
    error InvalidReceipt(address gateway);

    // The registry's errors that pass through the ledger's calls to it unchanged (`IDatanetRegistry`'s
    // `UnknownDatanet`, OpenZeppelin `Pausable`'s `EnforcedPause`). Declared here too so that the ledger's ABI
    // decodes every error a call to it can revert with; the selectors are the registry's.
    error UnknownDatanet(uint256 datanetId);
    error EnforcedPause();

    /// @notice Contributes 1..`MAX_BATCH` files to a Datanet, all or none.
    /// @dev Requirements:
    ///
    /// - the Datanet exists (else `UnknownDatanet`) and the protocol is not paused (else `EnforcedPause`);
    /// - the Datanet is public, or the caller is on its allow-list;
    /// - each file is of a known type of the Datanet's modality, 1..`maxFileBytes` bytes, with a CID of
    ///   1..`MAX_CID_BYTES` bytes, and its content is new to the Datanet;
    /// - the batch fits in what is left of the caller's daily file and byte limits and of the Datanet's cap;
    /// - the Datanet does not require upload receipts (else `ReceiptRequired`: see `contributeWithReceipt`).
    ///
    /// Emits one {Contributed} event for the batch.
    /// @param datanetId The Datanet.
    /// @param items Each file's SHA-256, CID, size in bytes and file-type code.
    function contribute(uint256 datanetId, ContributionInput[] calldata items) external;

    /// @notice `contribute` with a gateway's receipt for exactly these items and the caller: the way to a
    /// Datanet that requires receipts (and accepted by any other).
    /// @dev Requirements: those of `contribute`, and the receipt's deadline has not passed (else
    /// `ReceiptExpired`), its gateway holds the registry's `GATEWAY_ROLE` (else `NotGateway`), and its
    /// signature is the gateway's over (caller, Datanet, items, deadline, gateway) (else `InvalidReceipt`).
    ///
    /// Emits one {Contributed} event for the batch.
    function contributeWithReceipt(uint256 datanetId, ContributionInput[] calldata items, UploadReceipt calldata receipt) external;

    /// @notice The EIP-712 digest a gateway signs for an upload receipt.
    function receiptDigest(
        address contributor,
        uint256 datanetId,
        ContributionInput[] calldata items,
        uint64 deadline,
        address gateway
    ) external view returns (bytes32);

    /// @notice Records a batch of validators' signed verdicts; anyone may relay them. A contribution is
    /// final once `quorum` validators agree.
    /// @dev Requirements, for every verdict (else the whole batch reverts):
    ///
    /// - the protocol is not paused (else `EnforcedPause`);
    /// - its deadline has not passed, its score is at most `MAX_SCORE`, and the contribution exists;
    /// - `validator` signed it (ECDSA, or EIP-1271 for a contract) and validates the contribution's Datanet.
    ///
    /// Emits a {VoteCast} event per vote, and a {ContributionFinalized} event when one reaches the quorum;
    /// a vote on an already final contribution, or a validator's second vote on one, emits {VoteSkipped}
    /// instead (so a verdict landed first by someone else does not make the batch revert).
    function submitVerdicts(SignedVerdict[] calldata verdicts) external;

    /// @notice Finalizes pending contributions whose votes already reach their Datanet's quorum, as happens
    /// when an owner lowers the quorum after the votes were cast; anyone may call it.
    /// @dev Requirements, for every id (else the whole batch reverts):
    ///
    /// - the ids are 1 or more, and each contribution exists (else `EmptyBatch`, `UnknownContribution`);
    /// - the protocol is not paused (else `EnforcedPause`);
    /// - a pending one's accepts or rejects reach the quorum now (else `QuorumNotReached`); accepts are
    ///   counted first, as when a vote finalizes.
    ///
    /// Emits a {ContributionFinalized} event per contribution it finalizes; one already final is passed over,
    /// so that a batch raced by another caller still lands.
    function finalize(bytes32[] calldata ids) external;

    /// @notice Bytes and files the contributor may still send to the Datanet today, and when that resets.
    function allowance(
        address contributor,
        uint256 datanetId
    ) external view returns (uint256 bytesLeft, uint256 filesLeft, uint256 resetsAt);

    /// @notice The id of the contribution of `contentHash` to `datanetId`.
    function contributionId(uint256 datanetId, bytes32 contentHash) external pure returns (bytes32 id);

    /// @notice A contribution; all zero (status `None`) for an unknown id.
    function getContribution(bytes32 id) external view returns (Contribution memory);

    /// @notice Whether `validator` cast a vote that left the contribution pending. The vote that finalizes a
    /// contribution is not recorded: no later vote on it counts.
    function hasVoted(bytes32 id, address validator) external view returns (bool);

    /// @notice The EIP-712 digest `validator` signs for `verdict`: the type names the validator after the
    /// verdict's fields, `Verdict(bytes32 contribution,bool accept,uint8 score,uint16 reason,uint64 deadline,address validator)`.
    function verdictDigest(Verdict calldata verdict, address validator) external view returns (bytes32);

    /// @notice The registry the ledger reads Datanets, limits and validators from.
    function registry() external view returns (IDatanetRegistry);
}
