// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Rules and values every Provena contract shares, in the manner of EAS's `Common.sol`.

/// @dev The longest content address (CID) any contract stores, in bytes. A CIDv1 with a SHA-256 digest is 36.
uint256 constant CID_MAX_BYTES = 128;

/// @dev The one CID-length rule: at least `minBytes` (each contract names its own minimum, at most
/// `CID_MAX_BYTES`) and at most `CID_MAX_BYTES`. Only the length is checked on chain; what the bytes decode to is the readers' concern.
function isValidCidLength(uint256 length, uint256 minBytes) pure returns (bool) {
    // One comparison on the per-file hot path: below `minBytes` the subtraction wraps to a huge number.
    unchecked {
        return length - minBytes <= CID_MAX_BYTES - minBytes;
    }
}
