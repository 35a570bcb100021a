// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title SignedRecords
/// @notice Verifies records signed off-chain under this contract's EIP-712 domain, by an EOA (ECDSA) or by a
/// contract wallet (EIP-1271 `isValidSignature`): validators' verdicts in `ContributionLedger`, attestors'
/// model records in `ModelRegistry`. Each contract hashes its own record type and names its own error.
/// A contract wallet's check gets exactly `SIGNATURE_CHECK_GAS`: a wallet that burns gas costs whoever relays
/// its signature no more than that, and a relayer cannot make a genuine signature read as invalid by sending
/// too little gas.
abstract contract SignedRecords is EIP712 {
    /// @notice The gas a contract wallet's `isValidSignature` is given (a multisig's check needs a few tens of
    /// thousands).
    uint256 public constant SIGNATURE_CHECK_GAS = 60_000;

    /// @dev What the call itself costs before the wallet runs (a cold account, memory), with a margin.
    uint256 private constant _CALL_OVERHEAD = 5_000;

    /// @notice The transaction had too little gas left to give a contract wallet's check its
    /// `SIGNATURE_CHECK_GAS`: the relayer is to send it with more.
    error SignatureCheckGasTooLow(uint256 gasLeft, uint256 needed);

    /// @param name The EIP-712 domain's name.
    /// @param version The EIP-712 domain's version.
    constructor(string memory name, string memory version) EIP712(name, version) {}

    /// @dev Whether `signer` signed the record whose EIP-712 struct hash is `structHash`. A contract signer is
    /// asked with a static call of `SIGNATURE_CHECK_GAS`, so this never changes state; it reverts only with
    /// `SignatureCheckGasTooLow`.
    function _isSignedBy(address signer, bytes32 structHash, bytes calldata signature) internal view returns (bool) {
        bytes32 digest = _hashTypedDataV4(structHash);
        if (signer.code.length == 0) {
            (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
            return err == ECDSA.RecoverError.NoError && recovered == signer;
        }
        return _isValidContractSignature(signer, digest, signature);
    }

    /// @dev EIP-1271, with a fixed gas allowance. A call gets at most 63/64 of the gas left (EIP-150): unless
    /// that covers the allowance, the wallet might run out of gas for the relayer's sake, so it reverts instead.
    /// Only the first 32 bytes of the answer are copied, so a long answer costs the caller nothing.
    function _isValidContractSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool valid) {
        uint256 needed = SIGNATURE_CHECK_GAS + SIGNATURE_CHECK_GAS / 63 + _CALL_OVERHEAD;
        if (gasleft() < needed) revert SignatureCheckGasTooLow(gasleft(), needed);
        bytes memory request = abi.encodeCall(IERC1271.isValidSignature, (digest, signature));
        uint256 allowance = SIGNATURE_CHECK_GAS;
        bytes4 magic = IERC1271.isValidSignature.selector;
        assembly ("memory-safe") {
            mstore(0x00, 0)
            let success := staticcall(allowance, signer, add(request, 0x20), mload(request), 0x00, 0x20)
            valid := and(success, and(gt(returndatasize(), 0x1f), eq(mload(0x00), magic)))
        }
    }
}
