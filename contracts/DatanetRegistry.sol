// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {FileTypes} from "./libraries/FileTypes.sol";

/// @title DatanetRegistry
/// @notice Datanets (curated collections of one modality), their validator sets and quorums, and the
/// protocol-wide contribution limits that governance sets. Holds the protocol's emergency pause.
contract DatanetRegistry is IDatanetRegistry, AccessControl, Pausable {
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    uint256 public constant MAX_VALIDATORS = 32;
    uint256 public constant MAX_NAME_BYTES = 100;
    uint256 public constant MAX_CID_BYTES = 128;

    struct Datanet {
        address owner;
        uint8 modality;
        uint8 quorum;
        uint8 validatorCount;
        bool isPublic;
        uint64 dailyByteCap; // 0: follow the protocol's daily byte limit
        address pendingOwner;
        bytes metadataCid; // summary, description, tags, license
        string name;
    }

    struct CreateParams {
        string name;
        bytes metadataCid;
        uint8 modality;
        address[] validators;
        uint8 quorum;
        uint64 dailyByteCap;
        bool isPublic;
    }

    struct Limits {
        uint32 maxFileBytes;
        uint64 dailyBytes;
        uint32 dailyFiles;
    }

    Limits private _limits;
    uint256 public datanetCount;
    mapping(uint256 datanetId => Datanet) private _datanets;
    mapping(uint256 datanetId => mapping(address => bool)) private _validators;
    mapping(uint256 datanetId => mapping(address => bool)) private _allowList;

    event DatanetCreated(
        uint256 indexed datanetId,
        address indexed owner,
        uint8 modality,
        string name,
        bytes metadataCid,
        uint8 quorum,
        uint64 dailyByteCap,
        bool isPublic
    );
    event DatanetMetadataUpdated(uint256 indexed datanetId, bytes metadataCid);
    event ValidatorAdded(uint256 indexed datanetId, address indexed validator);
    event ValidatorRemoved(uint256 indexed datanetId, address indexed validator);
    event QuorumUpdated(uint256 indexed datanetId, uint8 quorum);
    event DailyByteCapUpdated(uint256 indexed datanetId, uint64 dailyByteCap);
    event VisibilityUpdated(uint256 indexed datanetId, bool isPublic);
    event AllowListUpdated(uint256 indexed datanetId, address indexed account, bool allowed);
    event OwnershipTransferStarted(uint256 indexed datanetId, address indexed owner, address indexed pendingOwner);
    event OwnershipTransferred(uint256 indexed datanetId, address indexed previousOwner, address indexed newOwner);
    event LimitsUpdated(uint32 maxFileBytes, uint64 dailyBytes, uint32 dailyFiles);

    error NotDatanetOwner(uint256 datanetId, address account);
    error NotPendingOwner(uint256 datanetId, address account);
    error InvalidName();
    error InvalidMetadataCid();
    error InvalidModality(uint8 modality);
    error InvalidQuorum(uint8 quorum, uint256 validatorCount);
    error TooManyValidators(uint256 count, uint256 max);
    error InvalidValidator(address validator);
    error ValidatorAlreadyAdded(uint256 datanetId, address validator);
    error NotAValidator(uint256 datanetId, address validator);
    error DailyByteCapAboveProtocol(uint64 dailyByteCap, uint64 protocolDailyBytes);
    error InvalidLimits(uint32 maxFileBytes, uint64 dailyBytes, uint32 dailyFiles);
    error ZeroAddress();
    error TooManyDatanets();

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

    /// @notice Creates a Datanet owned by the caller. Its modality is fixed for ever.
    /// @return datanetId The new Datanet's id, counting from 1.
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

    /// @notice Replaces the metadata (summary, description, tags, license) by a new content address.
    function setMetadata(uint256 datanetId, bytes calldata metadataCid) external onlyDatanetOwner(datanetId) {
        _checkCid(metadataCid);
        _datanets[datanetId].metadataCid = metadataCid;
        emit DatanetMetadataUpdated(datanetId, metadataCid);
    }

    /// @notice Adds validators; the total stays at most `MAX_VALIDATORS`.
    function addValidators(uint256 datanetId, address[] calldata validators) external onlyDatanetOwner(datanetId) {
        Datanet storage datanet = _datanets[datanetId];
        uint256 total = datanet.validatorCount + validators.length;
        if (total > MAX_VALIDATORS) revert TooManyValidators(total, MAX_VALIDATORS);
        _addValidators(datanetId, datanet, validators);
    }

    /// @notice Removes validators. Their votes already cast still count; new ones are refused.
    /// Lower the quorum first if fewer validators than the quorum would remain.
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

    /// @notice Sets how many validators must agree to finalize a contribution (1..validators).
    function setQuorum(uint256 datanetId, uint8 quorum) external onlyDatanetOwner(datanetId) {
        Datanet storage datanet = _datanets[datanetId];
        if (quorum == 0 || quorum > datanet.validatorCount) revert InvalidQuorum(quorum, datanet.validatorCount);
        datanet.quorum = quorum;
        emit QuorumUpdated(datanetId, quorum);
    }

    /// @notice Sets the per-contributor daily byte cap; 0 follows the protocol's daily byte limit.
    function setDailyByteCap(uint256 datanetId, uint64 dailyByteCap) external onlyDatanetOwner(datanetId) {
        _checkByteCap(dailyByteCap);
        _datanets[datanetId].dailyByteCap = dailyByteCap;
        emit DailyByteCapUpdated(datanetId, dailyByteCap);
    }

    /// @notice Opens the Datanet to every contributor, or restricts it to its allow-list.
    function setPublic(uint256 datanetId, bool isPublic) external onlyDatanetOwner(datanetId) {
        _datanets[datanetId].isPublic = isPublic;
        emit VisibilityUpdated(datanetId, isPublic);
    }

    /// @notice Adds accounts to, or removes them from, the allow-list used while the Datanet is not public.
    function setAllowList(uint256 datanetId, address[] calldata accounts, bool allowed) external onlyDatanetOwner(datanetId) {
        uint256 length = accounts.length;
        for (uint256 i; i < length; ++i) {
            _allowList[datanetId][accounts[i]] = allowed;
            emit AllowListUpdated(datanetId, accounts[i], allowed);
        }
    }

    /// @notice Starts a two-step ownership transfer; `newOwner` completes it with `acceptOwnership`.
    function transferOwnership(uint256 datanetId, address newOwner) external onlyDatanetOwner(datanetId) {
        if (newOwner == address(0)) revert ZeroAddress();
        _datanets[datanetId].pendingOwner = newOwner;
        emit OwnershipTransferStarted(datanetId, msg.sender, newOwner);
    }

    /// @notice Completes an ownership transfer started by the current owner.
    function acceptOwnership(uint256 datanetId) external {
        Datanet storage datanet = _datanets[datanetId];
        if (datanet.pendingOwner != msg.sender) revert NotPendingOwner(datanetId, msg.sender);
        address previousOwner = datanet.owner;
        datanet.owner = msg.sender;
        datanet.pendingOwner = address(0);
        emit OwnershipTransferred(datanetId, previousOwner, msg.sender);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Sets the protocol-wide limits: bytes per file, bytes and files per contributor per UTC day.
    function setLimits(Limits calldata newLimits) external onlyRole(GOVERNOR_ROLE) {
        _setLimits(newLimits);
    }

    /// @notice Stops Datanet changes, contributions and verdicts until `unpause`.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

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
            maxFileBytes: current.maxFileBytes,
            dailyBytes: current.dailyBytes,
            dailyFiles: current.dailyFiles
        });
    }

    /// @inheritdoc IDatanetRegistry
    function validatorQuorum(uint256 datanetId, address account) external view whenNotPaused returns (bool active, uint8 quorum) {
        return (_validators[datanetId][account], _datanets[datanetId].quorum);
    }

    function getDatanet(uint256 datanetId) external view returns (Datanet memory) {
        _requireExists(datanetId);
        return _datanets[datanetId];
    }

    function isValidator(uint256 datanetId, address account) external view returns (bool) {
        return _validators[datanetId][account];
    }

    function isAllowListed(uint256 datanetId, address account) external view returns (bool) {
        return _allowList[datanetId][account];
    }

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
        if (cid.length == 0 || cid.length > MAX_CID_BYTES) revert InvalidMetadataCid();
    }

    function _requireExists(uint256 datanetId) private view {
        if (_datanets[datanetId].owner == address(0)) revert UnknownDatanet(datanetId);
    }
}
