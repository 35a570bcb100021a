// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IModelRegistry
/// @notice The provenance of fine-tuned models: what they were trained from (base model, the exact
/// accepted contributions as a Merkle root, the chain block the dataset was taken at), how (training
/// config), with what result (adapter, metrics), and who attests it. A record is registered by anyone who
/// holds an authorized attestor's EIP-712 signature over it, and never changes; governance may flag it.
interface IModelRegistry {
    /// @dev What an attestor signs. Hashes are SHA-256 of the artifacts' bytes; CIDs name the same bytes.
    /// The dataset root is that of an OpenZeppelin `StandardMerkleTree` over `(bytes32 contributionId,
    /// bytes32 sha256)` leaves: the contributions trained on, each Accepted at or before `datasetBlock`.
    struct ModelRecord {
        bytes32 baseModelId; // keccak256 of the base model's name, e.g. "Qwen/Qwen2.5-0.5B"
        bytes32 baseWeightsHash; // SHA-256 over the base model's weight files' SHA-256s
        bytes32 adapterHash; // SHA-256 of the adapter (or full weights) file
        bytes adapterCid;
        bytes32 datasetRoot;
        bytes datasetCid; // the dataset manifest: its leaves, and where each came from
        uint64 datasetBlock;
        uint32 datasetSize; // number of leaves
        bytes32 configHash; // SHA-256 of the full training spec
        bytes configCid;
        bytes32 metricsHash; // SHA-256 of the evaluation metrics document
        bytes metricsCid;
        uint256 parentId; // the model this one refines; 0 for none
        address creator; // who trained it
        uint64 deadline; // the signature's expiry (unix seconds)
    }

    /// @dev What is kept per model; the whole record is in the `ModelRegistered` event, and `recordHash`
    /// (its EIP-712 struct hash) commits to every field of it.
    struct Model {
        bytes32 recordHash;
        bytes32 adapterHash;
        bytes32 datasetRoot;
        uint256 parentId;
        address attestor;
        uint64 datasetBlock;
        bool flagged;
        address creator;
        uint64 registeredAt; // block number
    }

    /// @notice The whole record and the attestor's signature, so that anyone can check both from logs alone.
    event ModelRegistered(uint256 indexed modelId, address indexed attestor, address indexed creator, ModelRecord record, bytes signature);
    event ModelFlagged(uint256 indexed modelId, address indexed by, string reason);
    event ModelFlagCleared(uint256 indexed modelId, address indexed by);

    error SignatureExpired(uint64 deadline);
    error NotAttestor(address attestor);
    error InvalidSignature(address attestor);
    error DuplicateModel(bytes32 adapterHash, uint256 modelId);
    error UnknownModel(uint256 modelId);
    error InvalidRecord(string field);
    error InvalidReason();

    /// @notice Registers a model from its record and an authorized attestor's EIP-712 signature over it
    /// (an EOA's or, for a contract attestor, one its EIP-1271 `isValidSignature` accepts). Anyone may relay.
    /// @dev Requirements:
    ///
    /// - registrations are not paused (else `EnforcedPause`);
    /// - `record.deadline` has not passed, and `attestor` has `ATTESTOR_ROLE`;
    /// - the record's hashes, dataset size and creator are non-zero, its CIDs 2..`MAX_CID_BYTES` bytes,
    ///   `datasetBlock` is already mined, and `parentId` is 0 or a registered model;
    /// - `attestor` signed the record;
    /// - no model is registered with the same adapter (this also makes a signature single-use).
    ///
    /// Emits a {ModelRegistered} event.
    /// @return modelId the new model's id (1, 2, …)
    function registerModel(ModelRecord calldata record, address attestor, bytes calldata signature) external returns (uint256 modelId);

    /// @notice Flags a model (e.g. trained on data later found to infringe), with the reason on record.
    /// @dev Requirements: the caller has `GOVERNOR_ROLE`; the model exists; `reason` is
    /// 1..`MAX_REASON_BYTES` bytes.
    ///
    /// Emits a {ModelFlagged} event.
    function flagModel(uint256 modelId, string calldata reason) external;

    /// @notice Clears a model's flag.
    /// @dev Requirements: the caller has `GOVERNOR_ROLE`; the model exists.
    ///
    /// Emits a {ModelFlagCleared} event.
    function clearFlag(uint256 modelId) external;

    /// @notice Stops model registrations until `unpause`; flagging and clearing flags go on.
    /// @dev Requirements: the caller has `PAUSER_ROLE`; not paused. Emits a {Pausable-Paused} event.
    function pause() external;

    /// @notice Ends a pause.
    /// @dev Requirements: the caller has `PAUSER_ROLE`; paused. Emits a {Pausable-Unpaused} event.
    function unpause() external;

    /// @notice A registered model; reverts with `UnknownModel` otherwise.
    function getModel(uint256 modelId) external view returns (Model memory);

    /// @notice Whether `(contributionId, contentHash)` is a leaf of the model's dataset, by a Merkle proof.
    function isInDataset(
        uint256 modelId,
        bytes32 contributionId,
        bytes32 contentHash,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice The EIP-712 struct hash of a record (what `recordHash` stores).
    function modelRecordHash(ModelRecord calldata record) external pure returns (bytes32);

    /// @notice The EIP-712 digest an attestor signs for `record`.
    function modelDigest(ModelRecord calldata record) external view returns (bytes32);

    /// @notice How many models are registered; ids run from 1 to this.
    function modelCount() external view returns (uint256);

    /// @notice The model registered with `adapterHash`, or 0.
    function modelByAdapter(bytes32 adapterHash) external view returns (uint256 modelId);
}
