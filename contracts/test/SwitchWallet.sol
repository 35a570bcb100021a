// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

// Test-only: a contract wallet that attacks whoever relays its signatures (issue 13, relay poisoning).

/// @notice Valid for its owner's signatures until the owner turns it off: a signature that passed the relay's
/// simulation fails in the block, when the owner's switch lands first.
contract SwitchWallet is IERC1271 {
    address public immutable owner;
    bool public off;

    constructor(address owner_) {
        owner = owner_;
    }

    error NotOwner();

    function setOff(bool value) external {
        if (msg.sender != owner) revert NotOwner();
        off = value;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        bool genuine = err == ECDSA.RecoverError.NoError && signer == owner;
        return genuine && !off ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}
