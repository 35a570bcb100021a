// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

// Test-only: a contract wallet that attacks whoever relays its signatures (issue 13, relay poisoning).

/// @notice Valid for its owner's signatures only in a call priced at zero, as an `eth_call` is: an off-chain
/// check passes, the real transaction fails.
contract GasPriceWallet is IERC1271 {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        bool genuine = err == ECDSA.RecoverError.NoError && signer == owner;
        return genuine && tx.gasprice == 0 ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}
