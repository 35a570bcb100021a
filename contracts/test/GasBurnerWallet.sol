// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

// Test-only: a contract wallet that attacks whoever relays its signatures (issue 13, relay poisoning).

/// @notice Burns every bit of gas it is given before it would answer "valid".
contract GasBurnerWallet is IERC1271 {
    function isValidSignature(bytes32, bytes calldata) external view returns (bytes4) {
        uint256 sink;
        while (gasleft() > 1_000) sink = uint256(keccak256(abi.encode(sink)));
        return sink == 0 ? bytes4(0) : IERC1271.isValidSignature.selector;
    }
}
