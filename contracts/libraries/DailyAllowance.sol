// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title DailyAllowance
/// @notice Per-UTC-day usage counters packed into one word: `day | bytes << 32 | files << 96`.
/// A counter whose day is not today reads as zero, so the allowance resets at 00:00 UTC without a write.
/// The same rule, in TypeScript, is `common/src/limits.ts`.
library DailyAllowance {
    uint256 internal constant DAY = 1 days;

    struct Usage {
        uint32 day;
        uint64 bytesUsed;
        uint32 filesUsed;
    }

    function today() internal view returns (uint32) {
        return uint32(block.timestamp / DAY);
    }

    /// @notice Unpacks `packed`, reading usage from an earlier day as zero.
    function read(uint256 packed, uint32 day) internal pure returns (Usage memory usage) {
        usage.day = day;
        if (uint32(packed) == day) {
            usage.bytesUsed = uint64(packed >> 32);
            usage.filesUsed = uint32(packed >> 96);
        }
    }

    function pack(Usage memory usage) internal pure returns (uint256) {
        return uint256(usage.day) | (uint256(usage.bytesUsed) << 32) | (uint256(usage.filesUsed) << 96);
    }

    /// @notice What is left of `limit` after `used`, never below zero.
    function left(uint256 limit, uint256 used) internal pure returns (uint256) {
        return used >= limit ? 0 : limit - used;
    }
}
