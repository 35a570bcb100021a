// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IDatanetRegistry
/// @notice What the contribution ledger needs from the registry: one call per contribution batch and one
/// per verdict. Both revert while the protocol is paused, so the registry's pause stops the ledger too.
interface IDatanetRegistry {
    /// @notice Everything `contribute` checks, read in one call.
    struct ContributionTerms {
        uint8 modality;
        bool allowed; // public Datanet, or the contributor is on its allow-list
        uint64 datanetDailyBytes; // the Datanet's per-contributor daily cap, already capped by the protocol's
        uint32 maxFileBytes;
        uint64 dailyBytes;
        uint32 dailyFiles;
    }

    error UnknownDatanet(uint256 datanetId);

    function contributionTerms(uint256 datanetId, address contributor) external view returns (ContributionTerms memory);

    function validatorQuorum(uint256 datanetId, address account) external view returns (bool active, uint8 quorum);
}
