// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FileTypes
/// @notice File-type codes and the modality each belongs to. The high nibble of a code is its modality,
/// so the membership check is one shift and one bit test. Mirrored in `common/src/fileTypes.ts`.
library FileTypes {
    /// @dev Modalities: the high nibble of every file-type code.
    uint8 internal constant TEXT = 0;
    uint8 internal constant IMAGE = 1;
    uint8 internal constant AUDIO = 2;
    uint8 internal constant MODALITY_COUNT = 3;

    // Text: 0x01 txt, 0x02 md, 0x03 pdf, 0x04 docx. Image: 0x10 png, 0x11 jpeg, 0x12 webp, 0x13 tiff,
    // 0x14 bmp. Audio: 0x20 wav, 0x21 mp3, 0x22 flac.
    uint256 private constant KNOWN = (0x1e) | (uint256(0x1f) << 0x10) | (uint256(0x07) << 0x20);

    /// @notice Whether `fileType` is a known code of `modality`.
    function belongsTo(uint8 fileType, uint8 modality) internal pure returns (bool) {
        return (KNOWN >> fileType) & 1 == 1 && fileType >> 4 == modality;
    }
}
