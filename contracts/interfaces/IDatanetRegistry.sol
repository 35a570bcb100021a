// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IDatanetRegistry
/// @notice Datanets (curated collections of one modality), their validator sets and quorums, and the
/// protocol-wide contribution limits that governance sets. The ledger reads it with one call per contribution
/// batch (`contributionTerms`) and one per verdict (`validatorQuorum`); both revert while the registry is
/// paused, so its pause stops contributions and verdicts in the ledger too.
interface IDatanetRegistry {
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

    /// @notice Everything `contribute` checks, read in one call.
    struct ContributionTerms {
        uint8 modality;
        bool allowed; // public Datanet, or the contributor is on its allow-list
        uint64 datanetDailyBytes; // the Datanet's per-contributor daily cap, already capped by the protocol's
        bool hasOwnCap; // the owner set a cap: the ledger counts the Datanet's bytes, whatever the protocol's limit
        bool receiptRequired; // contributions need a gateway's upload receipt (`contributeWithReceipt`)
        uint32 maxFileBytes;
        uint64 dailyBytes;
        uint32 dailyFiles;
    }

    /// @dev Emitted when `owner` creates Datanet `datanetId`; its validators follow as `ValidatorAdded` events.
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
    event ReceiptRequirementUpdated(uint256 indexed datanetId, bool required);
    event AllowListUpdated(uint256 indexed datanetId, address indexed account, bool allowed);
    event OwnershipTransferStarted(uint256 indexed datanetId, address indexed owner, address indexed pendingOwner);
    event OwnershipTransferred(uint256 indexed datanetId, address indexed previousOwner, address indexed newOwner);
    event LimitsUpdated(uint32 maxFileBytes, uint64 dailyBytes, uint32 dailyFiles);

    error UnknownDatanet(uint256 datanetId);
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

    // ---------------------------------------------------------------- Datanets

    /// @notice Creates a Datanet owned by the caller. Its modality is fixed for ever.
    /// @dev Requirements:
    ///
    /// - the protocol is not paused;
    /// - `name` is 1..`MAX_NAME_BYTES` bytes and `metadataCid` a valid CID;
    /// - `modality` is a known modality (`FileTypes`);
    /// - 1 <= `quorum` <= number of `validators` <= `MAX_VALIDATORS`, validators distinct and non-zero;
    /// - `dailyByteCap` is at most the protocol's daily byte limit.
    ///
    /// Emits a {DatanetCreated} event, then a {ValidatorAdded} event per validator.
    /// @return datanetId The new Datanet's id, counting from 1.
    function createDatanet(CreateParams calldata params) external returns (uint256 datanetId);

    /// @notice Replaces the metadata (summary, description, tags, license) by a new content address.
    /// @dev Requirements: the caller owns the Datanet; `metadataCid` is a valid CID.
    ///
    /// Emits a {DatanetMetadataUpdated} event.
    function setMetadata(uint256 datanetId, bytes calldata metadataCid) external;

    /// @notice Adds validators; the total stays at most `MAX_VALIDATORS`.
    /// @dev Requirements: the caller owns the Datanet; each validator is non-zero and not yet one.
    ///
    /// Emits a {ValidatorAdded} event per validator.
    function addValidators(uint256 datanetId, address[] calldata validators) external;

    /// @notice Removes validators. Their votes already cast still count; new ones are refused.
    /// Lower the quorum first if fewer validators than the quorum would remain.
    /// @dev Requirements: the caller owns the Datanet; each account is one of its validators; at least
    /// `quorum` validators remain.
    ///
    /// Emits a {ValidatorRemoved} event per validator.
    function removeValidators(uint256 datanetId, address[] calldata validators) external;

    /// @notice Sets how many validators must agree to finalize a contribution (1..validators).
    /// @dev Requirements: the caller owns the Datanet.
    ///
    /// Emits a {QuorumUpdated} event.
    function setQuorum(uint256 datanetId, uint8 quorum) external;

    /// @notice Sets the per-contributor daily byte cap; 0 follows the protocol's daily byte limit.
    /// @dev Requirements: the caller owns the Datanet; the cap is at most the protocol's daily byte limit.
    ///
    /// Emits a {DailyByteCapUpdated} event.
    function setDailyByteCap(uint256 datanetId, uint64 dailyByteCap) external;

    /// @notice Opens the Datanet to every contributor, or restricts it to its allow-list.
    /// @dev Requirements: the caller owns the Datanet.
    ///
    /// Emits a {VisibilityUpdated} event.
    function setPublic(uint256 datanetId, bool isPublic) external;

    /// @notice Requires, or stops requiring, that each contribution to the Datanet carry an upload receipt
    /// signed by a gateway (an address with `GATEWAY_ROLE`) for the contributor and exactly those items, so
    /// that nobody can take credit for a file by copying a pending `contribute` of it.
    /// @dev Requirements: the caller owns the Datanet.
    ///
    /// Emits a {ReceiptRequirementUpdated} event.
    function setReceiptRequired(uint256 datanetId, bool required) external;

    /// @notice Adds accounts to, or removes them from, the allow-list used while the Datanet is not public.
    /// @dev Requirements: the caller owns the Datanet.
    ///
    /// Emits an {AllowListUpdated} event per account.
    function setAllowList(uint256 datanetId, address[] calldata accounts, bool allowed) external;

    /// @notice Starts a two-step ownership transfer; `newOwner` completes it with `acceptOwnership`.
    /// @dev Requirements: the caller owns the Datanet; `newOwner` is not the zero address.
    ///
    /// Emits an {OwnershipTransferStarted} event.
    function transferOwnership(uint256 datanetId, address newOwner) external;

    /// @notice Completes an ownership transfer started by the current owner.
    /// @dev Requirements: the caller is the pending owner.
    ///
    /// Emits an {OwnershipTransferred} event.
    function acceptOwnership(uint256 datanetId) external;

    // ---------------------------------------------------------------- governance

    /// @notice Sets the protocol-wide limits: bytes per file, bytes and files per contributor per UTC day.
    /// @dev Requirements: the caller has `GOVERNOR_ROLE`; no limit is zero and a day holds at least one
    /// largest file.
    ///
    /// Emits a {LimitsUpdated} event.
    function setLimits(Limits calldata newLimits) external;

    /// @notice Stops Datanet creation, and in the ledger contributions, verdicts and finalizations, until
    /// `unpause`. It does not stop an owner's changes to a Datanet (metadata, validators, quorum, cap,
    /// allow-list, ownership), governance's `setLimits`, nor anything in `ModelRegistry`, which has a pause of
    /// its own.
    /// @dev Requirements: the caller has `PAUSER_ROLE`; not paused. Emits a {Pausable-Paused} event.
    function pause() external;

    /// @notice Ends a pause.
    /// @dev Requirements: the caller has `PAUSER_ROLE`; paused. Emits a {Pausable-Unpaused} event.
    function unpause() external;

    // ---------------------------------------------------------------- views

    /// @notice What `contribute` checks for `contributor` on `datanetId`, in one call.
    /// @dev Reverts with `UnknownDatanet` for an id never created, and with `EnforcedPause` while paused.
    function contributionTerms(uint256 datanetId, address contributor) external view returns (ContributionTerms memory);

    /// @notice Whether `account` is a validator of `datanetId`, and the Datanet's quorum.
    /// @dev Reverts with `EnforcedPause` while paused.
    function validatorQuorum(uint256 datanetId, address account) external view returns (bool active, uint8 quorum);

    /// @notice A Datanet; reverts with `UnknownDatanet` for an id never created.
    function getDatanet(uint256 datanetId) external view returns (Datanet memory);

    function isValidator(uint256 datanetId, address account) external view returns (bool);

    function isAllowListed(uint256 datanetId, address account) external view returns (bool);

    /// @notice Whether contributions to the Datanet need a gateway's upload receipt.
    function receiptRequired(uint256 datanetId) external view returns (bool);

    /// @notice Whether `account` may sign upload receipts (holds `GATEWAY_ROLE`, granted by the admin).
    function isGateway(address account) external view returns (bool);

    /// @notice The protocol-wide limits.
    function limits() external view returns (Limits memory);

    /// @notice How many Datanets exist; ids run from 1 to this.
    function datanetCount() external view returns (uint256);
}
