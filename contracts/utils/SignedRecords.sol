// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title SignedRecords
/// @notice Verifies records signed off-chain under this contract's EIP-712 domain, by an EOA (ECDSA) or by a
/// contract wallet (EIP-1271 `isValidSignature`): validators' verdicts in `ContributionLedger`, attestors'
/// model records in `ModelRegistry`. Each contract hashes its own record type and names its own error.
abstract contract SignedRecords is EIP712 {
    /// @param name The EIP-712 domain's name.
    /// @param version The EIP-712 domain's version.
    constructor(string memory name, string memory version) EIP712(name, version) {}

    /// @dev Whether `signer` signed the record whose EIP-712 struct hash is `structHash`. A contract signer is
    /// asked with a static call, so this never reverts and never changes state.
    function _isSignedBy(address signer, bytes32 structHash, bytes calldata signature) internal view returns (bool) {
        return SignatureChecker.isValidSignatureNowCalldata(signer, _hashTypedDataV4(structHash), signature);
    }
}
