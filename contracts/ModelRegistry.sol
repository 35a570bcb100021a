// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title ModelRegistry
/// @notice The provenance of fine-tuned models: what they were trained from (base model, the exact
/// accepted contributions as a Merkle root, the chain block the dataset was taken at), how (training
/// config), with what result (adapter, metrics), and who attests it. A record is registered by anyone who
/// holds an authorized attestor's EIP-712 signature over it, and never changes; governance may flag it.
contract ModelRegistry is AccessControl, EIP712 {
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    bytes32 public constant ATTESTOR_ROLE = keccak256("ATTESTOR_ROLE");

    uint256 public constant MAX_CID_BYTES = 128;
    uint256 public constant MAX_REASON_BYTES = 500;

    bytes32 public constant MODEL_TYPEHASH = keccak256(
        // solhint-disable-next-line max-line-length
        "ModelRecord(bytes32 baseModelId,bytes32 baseWeightsHash,bytes32 adapterHash,bytes adapterCid,bytes32 datasetRoot,bytes datasetCid,uint64 datasetBlock,uint32 datasetSize,bytes32 configHash,bytes configCid,bytes32 metricsHash,bytes metricsCid,uint256 parentId,address creator,uint64 deadline)"
    );

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

    uint256 public modelCount;
    mapping(uint256 modelId => Model) private _models;
    mapping(bytes32 adapterHash => uint256 modelId) public modelByAdapter;

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

    /// @param admin receives the admin and governor roles; it grants `ATTESTOR_ROLE` to attestors.
    constructor(address admin) EIP712("Provena ModelRegistry", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNOR_ROLE, admin);
    }

    // ---------------------------------------------------------------- registration

    /// @notice Registers a model from its record and an authorized attestor's EIP-712 signature over it
    /// (an EOA's or, for a contract attestor, one its EIP-1271 `isValidSignature` accepts). Anyone may relay.
    /// @return modelId the new model's id (1, 2, …)
    function registerModel(ModelRecord calldata record, address attestor, bytes calldata signature) external returns (uint256 modelId) {
        if (record.deadline < block.timestamp) revert SignatureExpired(record.deadline);
        if (!hasRole(ATTESTOR_ROLE, attestor)) revert NotAttestor(attestor);
        _checkRecord(record);
        bytes32 recordHash = modelRecordHash(record);
        if (!SignatureChecker.isValidSignatureNow(attestor, _hashTypedDataV4(recordHash), signature)) {
            revert InvalidSignature(attestor);
        }
        // One model per adapter: this also makes a signature single-use.
        uint256 existing = modelByAdapter[record.adapterHash];
        if (existing != 0) revert DuplicateModel(record.adapterHash, existing);

        modelId = ++modelCount;
        modelByAdapter[record.adapterHash] = modelId;
        _models[modelId] = Model({
            recordHash: recordHash,
            adapterHash: record.adapterHash,
            datasetRoot: record.datasetRoot,
            parentId: record.parentId,
            attestor: attestor,
            datasetBlock: record.datasetBlock,
            flagged: false,
            creator: record.creator,
            registeredAt: uint64(block.number)
        });
        emit ModelRegistered(modelId, attestor, record.creator, record, signature);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Flags a model (e.g. trained on data later found to infringe), with the reason on record.
    function flagModel(uint256 modelId, string calldata reason) external onlyRole(GOVERNOR_ROLE) {
        _requireModel(modelId);
        if (bytes(reason).length == 0 || bytes(reason).length > MAX_REASON_BYTES) revert InvalidReason();
        _models[modelId].flagged = true;
        emit ModelFlagged(modelId, msg.sender, reason);
    }

    /// @notice Clears a model's flag.
    function clearFlag(uint256 modelId) external onlyRole(GOVERNOR_ROLE) {
        _requireModel(modelId);
        _models[modelId].flagged = false;
        emit ModelFlagCleared(modelId, msg.sender);
    }

    // ---------------------------------------------------------------- views

    /// @notice A registered model.
    function getModel(uint256 modelId) external view returns (Model memory) {
        _requireModel(modelId);
        return _models[modelId];
    }

    /// @notice Whether `(contributionId, contentHash)` is a leaf of the model's dataset, by a Merkle proof.
    function isInDataset(
        uint256 modelId,
        bytes32 contributionId,
        bytes32 contentHash,
        bytes32[] calldata proof
    ) external view returns (bool) {
        _requireModel(modelId);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(contributionId, contentHash))));
        return MerkleProof.verifyCalldata(proof, _models[modelId].datasetRoot, leaf);
    }

    /// @notice The EIP-712 struct hash of a record (what `recordHash` stores).
    function modelRecordHash(ModelRecord calldata record) public pure returns (bytes32) {
        return
            keccak256(
                bytes.concat(
                    abi.encode(
                        MODEL_TYPEHASH,
                        record.baseModelId,
                        record.baseWeightsHash,
                        record.adapterHash,
                        keccak256(record.adapterCid),
                        record.datasetRoot,
                        keccak256(record.datasetCid),
                        record.datasetBlock
                    ),
                    abi.encode(
                        record.datasetSize,
                        record.configHash,
                        keccak256(record.configCid),
                        record.metricsHash,
                        keccak256(record.metricsCid),
                        record.parentId,
                        record.creator,
                        record.deadline
                    )
                )
            );
    }

    /// @notice The EIP-712 digest an attestor signs for `record`.
    function modelDigest(ModelRecord calldata record) external view returns (bytes32) {
        return _hashTypedDataV4(modelRecordHash(record));
    }

    // ---------------------------------------------------------------- internal

    function _checkRecord(ModelRecord calldata record) private view {
        if (record.baseModelId == bytes32(0)) revert InvalidRecord("baseModelId");
        if (record.adapterHash == bytes32(0)) revert InvalidRecord("adapterHash");
        if (record.datasetRoot == bytes32(0) || record.datasetSize == 0) revert InvalidRecord("datasetRoot");
        // The dataset is taken from blocks already mined when the model is registered.
        if (record.datasetBlock >= block.number) revert InvalidRecord("datasetBlock");
        if (record.configHash == bytes32(0)) revert InvalidRecord("configHash");
        if (record.creator == address(0)) revert InvalidRecord("creator");
        _checkCid(record.adapterCid, "adapterCid");
        _checkCid(record.datasetCid, "datasetCid");
        _checkCid(record.configCid, "configCid");
        _checkCid(record.metricsCid, "metricsCid");
        if (record.parentId != 0 && _models[record.parentId].recordHash == bytes32(0)) revert UnknownModel(record.parentId);
    }

    function _checkCid(bytes calldata cid, string memory field) private pure {
        if (cid.length < 2 || cid.length > MAX_CID_BYTES) revert InvalidRecord(field);
    }

    function _requireModel(uint256 modelId) private view {
        if (_models[modelId].recordHash == bytes32(0)) revert UnknownModel(modelId);
    }
}
