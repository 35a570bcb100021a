// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {CID_MAX_BYTES, isValidCidLength} from "./Common.sol";
import {FileTypes} from "./libraries/FileTypes.sol";

/// @title DatanetRegistry
/// @notice Datanets (curated collections of one modality), their validator sets and quorums, and the
/// protocol-wide contribution limits that governance sets. Its pause stops Datanet creation, and in the
/// ledger contributions and verdicts (see {IDatanetRegistry-pause} for what it leaves running).
/// Documented in {IDatanetRegistry}.
contract DatanetRegistry is IDatanetRegistry, AccessControl, Pausable {
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    bytes32 public constant GATEWAY_ROLE = keccak256("GATEWAY_ROLE");

    uint256 public constant MAX_VALIDATORS = 32;
    uint256 public constant MAX_NAME_BYTES = 100;
    uint256 public constant MAX_CID_BYTES = CID_MAX_BYTES;
    /// @dev A metadata CID only has to be non-empty.
    uint256 private constant MIN_CID_BYTES = 1;

    Limits private _limits;
    /// @inheritdoc IDatanetRegistry
    uint256 public datanetCount;
    mapping(uint256 datanetId => Datanet) private _datanets;
    mapping(uint256 datanetId => mapping(address => bool)) private _validators;
    mapping(uint256 datanetId => mapping(address => bool)) private _allowList;
    mapping(uint256 datanetId => bool) private _receiptRequired;

    modifier onlyDatanetOwner(uint256 datanetId) {
        if (_datanets[datanetId].owner != msg.sender) {
            _requireExists(datanetId);
            revert NotDatanetOwner(datanetId, msg.sender);
        }
        _;
    }

    /// @param admin Receives the admin, governor and pauser roles.
    /// @param initialLimits The initial protocol-wide limits.
    constructor(address admin, Limits memory initialLimits) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNOR_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _setLimits(initialLimits);
    }

    // ---------------------------------------------------------------- Datanets

    /// @inheritdoc IDatanetRegistry
    function createDatanet(CreateParams calldata params) external whenNotPaused returns (uint256 datanetId) {
        uint256 nameLength = bytes(params.name).length;
        if (nameLength == 0 || nameLength > MAX_NAME_BYTES) revert InvalidName();
        _checkCid(params.metadataCid);
        if (params.modality >= FileTypes.MODALITY_COUNT) revert InvalidModality(params.modality);
        uint256 count = params.validators.length;
        if (count > MAX_VALIDATORS) revert TooManyValidators(count, MAX_VALIDATORS);
        if (params.quorum == 0 || params.quorum > count) revert InvalidQuorum(params.quorum, count);
        _checkByteCap(params.dailyByteCap);

        datanetId = ++datanetCount;
        if (datanetId > type(uint32).max) revert TooManyDatanets(); // the ledger packs ids in 32 bits
        Datanet storage datanet = _datanets[datanetId];
        datanet.owner = msg.sender;
        datanet.modality = params.modality;
        datanet.quorum = params.quorum;
        datanet.isPublic = params.isPublic;
        datanet.dailyByteCap = params.dailyByteCap;
        datanet.metadataCid = params.metadataCid;
        datanet.name = params.name;
        emit DatanetCreated(
            datanetId,
            msg.sender,
            params.modality,
            params.name,
            params.metadataCid,
            params.quorum,
            params.dailyByteCap,
            params.isPublic
        );
        _addValidators(datanetId, datanet, params.validators);
    }

    /// @inheritdoc IDatanetRegistry
    function setMetadata(uint256 datanetId, bytes calldata metadataCid) external onlyDatanetOwner(datanetId) {
        _checkCid(metadataCid);
        _datanets[datanetId].metadataCid = metadataCid;
        emit DatanetMetadataUpdated(datanetId, metadataCid);
    }

    /// @inheritdoc IDatanetRegistry
    function addValidators(uint256 datanetId, address[] calldata validators) external onlyDatanetOwner(datanetId) {
        Datanet storage datanet = _datanets[datanetId];
        uint256 total = datanet.validatorCount + validators.length;
        if (total > MAX_VALIDATORS) revert TooManyValidators(total, MAX_VALIDATORS);
        _addValidators(datanetId, datanet, validators);
    }

    /// @inheritdoc IDatanetRegistry
    function removeValidators(uint256 datanetId, address[] calldata validators) external onlyDatanetOwner(datanetId) {
        Datanet storage datanet = _datanets[datanetId];
        uint256 length = validators.length;
        for (uint256 i; i < length; ++i) {
            address validator = validators[i];
            if (!_validators[datanetId][validator]) revert NotAValidator(datanetId, validator);
            _validators[datanetId][validator] = false;
            emit ValidatorRemoved(datanetId, validator);
        }
        uint256 remaining = datanet.validatorCount - length;
        if (datanet.quorum > remaining) revert InvalidQuorum(datanet.quorum, remaining);
        datanet.validatorCount = uint8(remaining);
    }

    /// @inheritdoc IDatanetRegistry
    function setQuorum(uint256 datanetId, uint8 quorum) external onlyDatanetOwner(datanetId) {
        Datanet storage datanet = _datanets[datanetId];
        if (quorum == 0 || quorum > datanet.validatorCount) revert InvalidQuorum(quorum, datanet.validatorCount);
        datanet.quorum = quorum;
        emit QuorumUpdated(datanetId, quorum);
    }

    /// @inheritdoc IDatanetRegistry
    function setDailyByteCap(uint256 datanetId, uint64 dailyByteCap) external onlyDatanetOwner(datanetId) {
        _checkByteCap(dailyByteCap);
        _datanets[datanetId].dailyByteCap = dailyByteCap;
        emit DailyByteCapUpdated(datanetId, dailyByteCap);
    }

    /// @inheritdoc IDatanetRegistry
    function setPublic(uint256 datanetId, bool isPublic) external onlyDatanetOwner(datanetId) {
        _datanets[datanetId].isPublic = isPublic;
        emit VisibilityUpdated(datanetId, isPublic);
    }

    /// @inheritdoc IDatanetRegistry
    function setReceiptRequired(uint256 datanetId, bool required) external onlyDatanetOwner(datanetId) {
        _receiptRequired[datanetId] = required;
        emit ReceiptRequirementUpdated(datanetId, required);
    }

    /// @inheritdoc IDatanetRegistry
    function setAllowList(uint256 datanetId, address[] calldata accounts, bool allowed) external onlyDatanetOwner(datanetId) {
        uint256 length = accounts.length;
        for (uint256 i; i < length; ++i) {
            _allowList[datanetId][accounts[i]] = allowed;
            emit AllowListUpdated(datanetId, accounts[i], allowed);
        }
    }

    /// @inheritdoc IDatanetRegistry
    function transferOwnership(uint256 datanetId, address newOwner) external onlyDatanetOwner(datanetId) {
        if (newOwner == address(0)) revert ZeroAddress();
        _datanets[datanetId].pendingOwner = newOwner;
        emit OwnershipTransferStarted(datanetId, msg.sender, newOwner);
    }

    /// @inheritdoc IDatanetRegistry
    function acceptOwnership(uint256 datanetId) external {
        Datanet storage datanet = _datanets[datanetId];
        if (datanet.pendingOwner != msg.sender) revert NotPendingOwner(datanetId, msg.sender);
        address previousOwner = datanet.owner;
        datanet.owner = msg.sender;
        datanet.pendingOwner = address(0);
        emit OwnershipTransferred(datanetId, previousOwner, msg.sender);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IDatanetRegistry
    function setLimits(Limits calldata newLimits) external onlyRole(GOVERNOR_ROLE) {
        _setLimits(newLimits);
    }

    /// @inheritdoc IDatanetRegistry
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IDatanetRegistry
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDatanetRegistry
    function contributionTerms(
        uint256 datanetId,
        address contributor
    ) external view whenNotPaused returns (ContributionTerms memory terms) {
        Datanet storage datanet = _datanets[datanetId];
        if (datanet.owner == address(0)) revert UnknownDatanet(datanetId);
        Limits memory current = _limits;
        uint64 cap = datanet.dailyByteCap;
        terms = ContributionTerms({
            modality: datanet.modality,
            allowed: datanet.isPublic || _allowList[datanetId][contributor],
            datanetDailyBytes: cap == 0 || cap > current.dailyBytes ? current.dailyBytes : cap,
            hasOwnCap: cap != 0,
            receiptRequired: _receiptRequired[datanetId],
            maxFileBytes: current.maxFileBytes,
            dailyBytes: current.dailyBytes,
            dailyFiles: current.dailyFiles
        });
    }

    /// @inheritdoc IDatanetRegistry
    function validatorQuorum(uint256 datanetId, address account) external view whenNotPaused returns (bool active, uint8 quorum) {
        return (_validators[datanetId][account], _datanets[datanetId].quorum);
    }

    /// @inheritdoc IDatanetRegistry
    function getDatanet(uint256 datanetId) external view returns (Datanet memory) {
        _requireExists(datanetId);
        return _datanets[datanetId];
    }

    /// @inheritdoc IDatanetRegistry
    function isValidator(uint256 datanetId, address account) external view returns (bool) {
        return _validators[datanetId][account];
    }

    /// @inheritdoc IDatanetRegistry
    function isAllowListed(uint256 datanetId, address account) external view returns (bool) {
        return _allowList[datanetId][account];
    }

    /// @inheritdoc IDatanetRegistry
    function receiptRequired(uint256 datanetId) external view returns (bool) {
        return _receiptRequired[datanetId];
    }

    /// @inheritdoc IDatanetRegistry
    function isGateway(address account) external view returns (bool) {
        return hasRole(GATEWAY_ROLE, account);
    }

    /// @inheritdoc IDatanetRegistry
    function limits() external view returns (Limits memory) {
        return _limits;
    }

    // ---------------------------------------------------------------- internal

    function _addValidators(uint256 datanetId, Datanet storage datanet, address[] calldata validators) private {
        uint256 length = validators.length;
        for (uint256 i; i < length; ++i) {
            address validator = validators[i];
            if (validator == address(0)) revert InvalidValidator(validator);
            if (_validators[datanetId][validator]) revert ValidatorAlreadyAdded(datanetId, validator);
            _validators[datanetId][validator] = true;
            emit ValidatorAdded(datanetId, validator);
        }
        datanet.validatorCount += uint8(length);
    }

    function _setLimits(Limits memory newLimits) private {
        if (newLimits.maxFileBytes == 0 || newLimits.dailyFiles == 0 || newLimits.dailyBytes < newLimits.maxFileBytes) {
            revert InvalidLimits(newLimits.maxFileBytes, newLimits.dailyBytes, newLimits.dailyFiles);
        }
        _limits = newLimits;
        emit LimitsUpdated(newLimits.maxFileBytes, newLimits.dailyBytes, newLimits.dailyFiles);
    }

    function _checkByteCap(uint64 dailyByteCap) private view {
        if (dailyByteCap > _limits.dailyBytes) revert DailyByteCapAboveProtocol(dailyByteCap, _limits.dailyBytes);
    }

    function _checkCid(bytes calldata cid) private pure {
        if (!isValidCidLength(cid.length, MIN_CID_BYTES)) revert InvalidMetadataCid();
    }

    function _requireExists(uint256 datanetId) private view {
        if (_datanets[datanetId].owner == address(0)) revert UnknownDatanet(datanetId);
    }
}
