// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IContributionLedger} from "./interfaces/IContributionLedger.sol";
import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {CID_MAX_BYTES, isValidCidLength} from "./Common.sol";
import {SignedRecords} from "./utils/SignedRecords.sol";
import {FileTypes} from "./libraries/FileTypes.sol";
import {DailyAllowance} from "./libraries/DailyAllowance.sol";

/// @title ContributionLedger
/// @notice Records contributions to Datanets under the daily limits, and finalizes them from validators'
/// EIP-712 verdicts once a Datanet's quorum agrees. A contribution is one storage slot: its id is
/// `keccak256(abi.encode(datanetId, contentHash))`, which also makes the same content unique per Datanet.
/// Documented in {IContributionLedger}; verdict signatures are checked by {SignedRecords}.
contract ContributionLedger is IContributionLedger, SignedRecords {
    using DailyAllowance for uint256;

    uint256 public constant MAX_BATCH = 20;
    uint256 public constant MAX_CID_BYTES = CID_MAX_BYTES;
    /// @dev A file's CID only has to be non-empty.
    uint256 private constant MIN_CID_BYTES = 1;
    uint8 public constant MAX_SCORE = 100;

    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "UploadReceipt(address contributor,uint256 datanetId,bytes32 itemsHash,uint64 deadline,address gateway)"
    );

    bytes32 public constant VERDICT_TYPEHASH = keccak256(
        "Verdict(bytes32 contribution,bool accept,uint8 score,uint16 reason,uint64 deadline,address validator)"
    );

    /// @dev The last registry answer within one `submitVerdicts` call; quorum 0 means none yet.
    struct ValidatorLookup {
        uint32 datanetId;
        address validator;
        uint8 quorum;
    }

    /// @dev Today's usage counters and what is left under each daily limit.
    struct Remaining {
        DailyAllowance.Usage global;
        DailyAllowance.Usage local; // read only for a Datanet with a cap of its own
        uint256 files;
        uint256 bytes_;
        uint256 datanetBytes;
    }

    /// @inheritdoc IContributionLedger
    IDatanetRegistry public immutable registry;

    mapping(bytes32 id => Contribution) private _contributions;
    mapping(bytes32 id => mapping(address validator => bool)) private _voted;
    mapping(address contributor => uint256 packedUsage) private _dailyUsage;
    mapping(uint256 datanetId => mapping(address contributor => uint256 packedUsage)) private _datanetDailyUsage;

    constructor(IDatanetRegistry registry_) SignedRecords("Provena ContributionLedger", "1") {
        registry = registry_;
    }

    // ---------------------------------------------------------------- contributions

    /// @inheritdoc IContributionLedger
    function contribute(uint256 datanetId, ContributionInput[] calldata items) external {
        IDatanetRegistry.ContributionTerms memory terms = _termsFor(datanetId, items.length);
        if (terms.receiptRequired) revert ReceiptRequired(datanetId);
        _contribute(datanetId, items, terms);
    }

    /// @inheritdoc IContributionLedger
    function contributeWithReceipt(uint256 datanetId, ContributionInput[] calldata items, UploadReceipt calldata receipt) external {
        IDatanetRegistry.ContributionTerms memory terms = _termsFor(datanetId, items.length);
        if (receipt.deadline < block.timestamp) revert ReceiptExpired(receipt.deadline);
        if (!registry.isGateway(receipt.gateway)) revert NotGateway(receipt.gateway);
        bytes32 structHash = _receiptHash(msg.sender, datanetId, items, receipt.deadline, receipt.gateway);
        if (!_isSignedBy(receipt.gateway, structHash, receipt.signature)) revert InvalidReceipt(receipt.gateway);
        _contribute(datanetId, items, terms);
    }

    /// @inheritdoc IContributionLedger
    function receiptDigest(
        address contributor,
        uint256 datanetId,
        ContributionInput[] calldata items,
        uint64 deadline,
        address gateway
    ) external view returns (bytes32) {
        return _hashTypedDataV4(_receiptHash(contributor, datanetId, items, deadline, gateway));
    }

    /// @dev The batch's size checks and the caller's terms in the Datanet.
    function _termsFor(uint256 datanetId, uint256 count) private view returns (IDatanetRegistry.ContributionTerms memory terms) {
        if (count == 0) revert EmptyBatch();
        if (count > MAX_BATCH) revert BatchTooLarge(count, MAX_BATCH);
        // A static call (the interface's functions are `view`): the registry cannot reenter before the writes that follow.
        terms = registry.contributionTerms(datanetId, msg.sender);
        if (!terms.allowed) revert NotAllowListed(datanetId, msg.sender);
    }

    function _receiptHash(
        address contributor,
        uint256 datanetId,
        ContributionInput[] calldata items,
        uint64 deadline,
        address gateway
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(RECEIPT_TYPEHASH, contributor, datanetId, keccak256(abi.encode(items)), deadline, gateway));
    }

    /// @dev Records the batch under `terms`: every file checked, then the allowance spent once.
    function _contribute(uint256 datanetId, ContributionInput[] calldata items, IDatanetRegistry.ContributionTerms memory terms) private {
        uint256 count = items.length;

        uint256 totalBytes;
        for (uint256 i; i < count; ++i) {
            ContributionInput calldata item = items[i];
            uint8 fileType = item.fileType;
            uint32 size = item.size;
            bytes calldata cid = item.cid;
            if (!FileTypes.belongsTo(fileType, terms.modality)) revert FileTypeNotAllowed(i, fileType, terms.modality);
            if (size == 0) revert EmptyFile(i);
            if (size > terms.maxFileBytes) revert FileTooLarge(i, size, terms.maxFileBytes);
            if (!isValidCidLength(cid.length, MIN_CID_BYTES)) revert InvalidCid(i);

            bytes32 contentHash = item.contentHash;
            bytes32 id = contributionId(datanetId, contentHash);
            if (!_recordContribution(id, datanetId, fileType)) revert DuplicateContent(datanetId, contentHash);
            totalBytes += size;
        }
        _emitContributed(datanetId, items);
        // Checked once for the whole batch; a revert here undoes the writes above.
        _spendAllowance(datanetId, count, totalBytes, terms);
    }

    /// @inheritdoc IContributionLedger
    function allowance(
        address contributor,
        uint256 datanetId
    ) external view returns (uint256 bytesLeft, uint256 filesLeft, uint256 resetsAt) {
        IDatanetRegistry.ContributionTerms memory terms = registry.contributionTerms(datanetId, contributor);
        uint32 day = DailyAllowance.today();
        Remaining memory remaining = _remaining(contributor, datanetId, terms, day);
        bytesLeft = remaining.bytes_ < remaining.datanetBytes ? remaining.bytes_ : remaining.datanetBytes;
        filesLeft = remaining.files;
        resetsAt = (uint256(day) + 1) * DailyAllowance.DAY;
    }

    /// @inheritdoc IContributionLedger
    function contributionId(uint256 datanetId, bytes32 contentHash) public pure returns (bytes32 id) {
        assembly ("memory-safe") {
            mstore(0x00, datanetId)
            mstore(0x20, contentHash)
            id := keccak256(0x00, 0x40)
        }
    }

    /// @inheritdoc IContributionLedger
    function getContribution(bytes32 id) external view returns (Contribution memory) {
        return _contributions[id];
    }

    /// @inheritdoc IContributionLedger
    function hasVoted(bytes32 id, address validator) external view returns (bool) {
        return _voted[id][validator];
    }

    // ---------------------------------------------------------------- verdicts

    /// @inheritdoc IContributionLedger
    function submitVerdicts(SignedVerdict[] calldata verdicts) external {
        ValidatorLookup memory lookup;
        uint256 length = verdicts.length;
        for (uint256 i; i < length; ++i) {
            _recordVerdict(verdicts[i], lookup);
        }
    }

    /// @inheritdoc IContributionLedger
    function finalize(bytes32[] calldata ids) external {
        uint256 length = ids.length;
        if (length == 0) revert EmptyBatch();
        for (uint256 i; i < length; ++i) {
            bytes32 id = ids[i];
            Contribution memory contribution = _contributions[id];
            if (contribution.status == Status.None) revert UnknownContribution(id);
            if (contribution.status != Status.Pending) continue; // finalized by someone else first: nothing to do
            (, uint8 quorum) = registry.validatorQuorum(contribution.datanetId, address(0));
            if (!_settle(id, contribution, quorum)) revert QuorumNotReached(id, contribution.accepts, contribution.rejects, quorum);
            _contributions[id] = contribution;
        }
    }

    /// @inheritdoc IContributionLedger
    function verdictDigest(Verdict calldata verdict, address validator) external view returns (bytes32) {
        return _hashTypedDataV4(_verdictHash(verdict, validator));
    }

    // ---------------------------------------------------------------- internal

    /// @dev The EIP-712 struct hash of `verdict` as cast by `validator` (last in the type, so that the
    /// struct's ABI encoding, every field static, is EIP-712's `encodeData` up to it: cheaper than field by field).
    function _verdictHash(Verdict calldata verdict, address validator) private pure returns (bytes32) {
        return keccak256(abi.encode(VERDICT_TYPEHASH, verdict, validator));
    }

    /// @dev Writes a new contribution's slot in one SSTORE; false if the id is taken (same content in the
    /// same Datanet). Equivalent to assigning a `Contribution` with status Pending and a zero tally, packed
    /// in the struct's field order; done by hand because this is the per-file hot path (`npm run bench:gas`).
    function _recordContribution(bytes32 id, uint256 datanetId, uint8 fileType) private returns (bool created) {
        uint256 packed =
            uint256(uint160(msg.sender)) |
                (uint256(uint32(datanetId)) << 160) |
                (uint256(fileType) << 192) |
                (uint256(uint8(Status.Pending)) << 200);
        mapping(bytes32 => Contribution) storage contributions = _contributions;
        assembly ("memory-safe") {
            mstore(0x00, id)
            mstore(0x20, contributions.slot)
            let slot := keccak256(0x00, 0x40)
            created := iszero(sload(slot))
            if created {
                sstore(slot, packed)
            }
        }
    }

    /// @dev `emit Contributed(datanetId, msg.sender, items)` without re-encoding: the ABI encoding of
    /// `items` is position-independent (its offsets are relative to its own head), so the event's data is
    /// one word (the offset, 0x20) followed by the calldata from `items`' length word to the end. Every
    /// offset the loop above followed lies inside that copy, so the event decodes to what was checked.
    function _emitContributed(uint256 datanetId, ContributionInput[] calldata items) private {
        bytes32 topic = Contributed.selector;
        assembly ("memory-safe") {
            let start := sub(items.offset, 0x20)
            let length := sub(calldatasize(), start)
            let ptr := mload(0x40)
            mstore(ptr, 0x20)
            calldatacopy(add(ptr, 0x20), start, length)
            log3(ptr, add(length, 0x20), topic, datanetId, caller())
        }
    }

    function _recordVerdict(SignedVerdict calldata signed, ValidatorLookup memory lookup) private {
        Verdict calldata verdict = signed.verdict;
        bytes32 id = verdict.contribution;
        address validator = signed.validator;
        if (block.timestamp > verdict.deadline) revert VerdictExpired(id, verdict.deadline);
        if (verdict.score > MAX_SCORE) revert InvalidScore(verdict.score);
        Contribution memory contribution = _contributions[id];
        if (contribution.status == Status.None) revert UnknownContribution(id);
        if (!_isSignedBy(validator, _verdictHash(verdict, validator), signed.signature)) {
            revert InvalidSignature(id, validator);
        }
        uint8 quorum = _quorumFor(contribution.datanetId, validator, lookup);
        if (contribution.status != Status.Pending) {
            emit VoteSkipped(id, validator, contribution.status);
            return;
        }
        // Earlier votes exist only when the tally is non-zero: skip the cold read otherwise. A repeated vote
        // is skipped, not refused, so that landing one verdict of a pending batch first cannot sink the batch.
        if (contribution.accepts | contribution.rejects != 0 && _voted[id][validator]) {
            emit VoteSkipped(id, validator, contribution.status);
            return;
        }
        emit VoteCast(id, validator, verdict.accept, verdict.score, verdict.reason);

        if (verdict.accept) {
            contribution.accepts += 1;
            contribution.acceptScoreSum += verdict.score;
        } else {
            contribution.rejects += 1;
        }
        if (!_settle(id, contribution, quorum)) _voted[id][validator] = true;
        _contributions[id] = contribution;
    }

    /// @dev Makes `contribution` (in memory; the caller stores it) final if its votes reach `quorum`:
    /// accepted when the accepts do, else rejected when the rejects do. Whether it did.
    function _settle(bytes32 id, Contribution memory contribution, uint8 quorum) private returns (bool) {
        if (contribution.accepts >= quorum) {
            contribution.status = Status.Accepted;
            contribution.score = uint16((uint256(contribution.acceptScoreSum) * 100) / contribution.accepts);
            emit ContributionFinalized(id, Status.Accepted, contribution.score);
            return true;
        }
        if (contribution.rejects >= quorum) {
            contribution.status = Status.Rejected;
            emit ContributionFinalized(id, Status.Rejected, 0);
            return true;
        }
        return false;
    }

    /// @dev The registry's answer for a (Datanet, validator) pair, reused while a batch repeats the pair:
    /// nothing in one call can change the registry in between, and batches usually come from one validator.
    function _quorumFor(uint32 datanetId, address validator, ValidatorLookup memory lookup) private view returns (uint8) {
        if (lookup.quorum == 0 || lookup.datanetId != datanetId || lookup.validator != validator) {
            (bool active, uint8 quorum) = registry.validatorQuorum(datanetId, validator);
            if (!active) revert NotValidator(datanetId, validator);
            lookup.datanetId = datanetId;
            lookup.validator = validator;
            lookup.quorum = quorum;
        }
        return lookup.quorum;
    }

    function _spendAllowance(uint256 datanetId, uint256 files, uint256 bytes_, IDatanetRegistry.ContributionTerms memory terms) private {
        Remaining memory remaining = _remaining(msg.sender, datanetId, terms, DailyAllowance.today());
        if (files > remaining.files) revert DailyFileLimitExceeded(files, remaining.files);
        if (bytes_ > remaining.bytes_) revert DailyByteLimitExceeded(bytes_, remaining.bytes_);
        if (bytes_ > remaining.datanetBytes) revert DatanetByteCapExceeded(datanetId, bytes_, remaining.datanetBytes);

        remaining.global.filesUsed += uint32(files);
        remaining.global.bytesUsed += uint64(bytes_);
        _dailyUsage[msg.sender] = DailyAllowance.pack(remaining.global);
        if (_hasOwnCap(terms)) {
            remaining.local.bytesUsed += uint64(bytes_);
            _datanetDailyUsage[datanetId][msg.sender] = DailyAllowance.pack(remaining.local);
        }
    }

    /// @dev Today's usage and what is left of each limit: the one rule behind `allowance` and `contribute`.
    function _remaining(
        address contributor,
        uint256 datanetId,
        IDatanetRegistry.ContributionTerms memory terms,
        uint32 day
    ) private view returns (Remaining memory remaining) {
        remaining.global = _dailyUsage[contributor].read(day);
        remaining.files = DailyAllowance.left(terms.dailyFiles, remaining.global.filesUsed);
        remaining.bytes_ = DailyAllowance.left(terms.dailyBytes, remaining.global.bytesUsed);
        if (_hasOwnCap(terms)) {
            remaining.local = _datanetDailyUsage[datanetId][contributor].read(day);
            remaining.datanetBytes = DailyAllowance.left(terms.datanetDailyBytes, remaining.local.bytesUsed);
        } else {
            remaining.datanetBytes = type(uint256).max;
        }
    }

    /// @dev A Datanet without a cap of its own needs no counter: the global one bounds it. One with a cap
    /// counts its bytes even while the protocol's limit is the lower, so that governance raising that limit
    /// during the day does not reopen the Datanet's cap. A cap an owner sets during the day counts the bytes
    /// sent from then on.
    function _hasOwnCap(IDatanetRegistry.ContributionTerms memory terms) private pure returns (bool) {
        return terms.hasOwnCap;
    }
}
