// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {CID_MAX_BYTES, isValidCidLength} from "./Common.sol";
import {SignedRecords} from "./utils/SignedRecords.sol";

/// @title ModelRegistry
/// @notice The provenance of fine-tuned models: what they were trained from (base model, the exact
/// accepted contributions as a Merkle root, the chain block the dataset was taken at), how (training
/// config), with what result (adapter, metrics), and who attests it. A record is registered by anyone who
/// holds an authorized attestor's EIP-712 signature over it, and never changes; governance may flag it.
/// Its own pause stops registrations (say, while a leaked attestor key is revoked); flags still work.
/// Documented in {IModelRegistry}; record signatures are checked by {SignedRecords}.
contract ModelRegistry is IModelRegistry, AccessControl, Pausable, SignedRecords {
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant ATTESTOR_ROLE = keccak256("ATTESTOR_ROLE");

    uint256 public constant MAX_CID_BYTES = CID_MAX_BYTES;
    /// @dev Stricter than the ledger's and the registry's 1, as this contract always was: a shared minimum
    /// would change what one of them accepts.
    uint256 private constant MIN_CID_BYTES = 2;
    uint256 public constant MAX_REASON_BYTES = 500;

    bytes32 public constant MODEL_TYPEHASH = keccak256(
        // solhint-disable-next-line max-line-length
        "ModelRecord(bytes32 baseModelId,bytes32 baseWeightsHash,bytes32 adapterHash,bytes adapterCid,bytes32 datasetRoot,bytes datasetCid,uint64 datasetBlock,uint32 datasetSize,bytes32 configHash,bytes configCid,bytes32 metricsHash,bytes metricsCid,uint256 parentId,address creator,uint64 deadline)"
    );

    /// @inheritdoc IModelRegistry
    uint256 public modelCount;
    mapping(uint256 modelId => Model) private _models;
    /// @inheritdoc IModelRegistry
    mapping(bytes32 adapterHash => uint256 modelId) public modelByAdapter;

    /// @param admin receives the admin, governor and pauser roles; it grants `ATTESTOR_ROLE` to attestors.
    constructor(address admin) SignedRecords("Provena ModelRegistry", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNOR_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    // ---------------------------------------------------------------- registration

    /// @inheritdoc IModelRegistry
    function registerModel(
        ModelRecord calldata record,
        address attestor,
        bytes calldata signature
    ) external whenNotPaused returns (uint256 modelId) {
        if (record.deadline < block.timestamp) revert SignatureExpired(record.deadline);
        if (!hasRole(ATTESTOR_ROLE, attestor)) revert NotAttestor(attestor);
        _checkRecord(record);
        bytes32 recordHash = modelRecordHash(record);
        if (!_isSignedBy(attestor, recordHash, signature)) {
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

    /// @inheritdoc IModelRegistry
    function flagModel(uint256 modelId, string calldata reason) external onlyRole(GOVERNOR_ROLE) {
        _requireModel(modelId);
        if (bytes(reason).length == 0 || bytes(reason).length > MAX_REASON_BYTES) revert InvalidReason();
        _models[modelId].flagged = true;
        emit ModelFlagged(modelId, msg.sender, reason);
    }

    /// @inheritdoc IModelRegistry
    function clearFlag(uint256 modelId) external onlyRole(GOVERNOR_ROLE) {
        _requireModel(modelId);
        _models[modelId].flagged = false;
        emit ModelFlagCleared(modelId, msg.sender);
    }

    /// @inheritdoc IModelRegistry
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IModelRegistry
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IModelRegistry
    function getModel(uint256 modelId) external view returns (Model memory) {
        _requireModel(modelId);
        return _models[modelId];
    }

    /// @inheritdoc IModelRegistry
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

    /// @inheritdoc IModelRegistry
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

    /// @inheritdoc IModelRegistry
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
        if (!isValidCidLength(cid.length, MIN_CID_BYTES)) revert InvalidRecord(field);
    }

    function _requireModel(uint256 modelId) private view {
        if (_models[modelId].recordHash == bytes32(0)) revert UnknownModel(modelId);
    }
}
