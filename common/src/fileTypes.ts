/**
 * File types and modalities. Codes are the contract's (`contracts/libraries/FileTypes.sol`):
 * the high nibble of a code is its modality.
 */
export const MODALITIES = ["text", "image", "audio"] as const;
export type Modality = (typeof MODALITIES)[number];

export const modalityCode = (modality: Modality): number => MODALITIES.indexOf(modality);

export const modalityName = (code: number): Modality => {
  const name = MODALITIES[code];
  if (name === undefined) throw new RangeError(`unknown modality code ${code}`);
  return name;
};

export type FileTypeInfo = {
  code: number;
  name: string;
  modality: Modality;
  extensions: readonly string[];
  mime: string;
};

export const FILE_TYPES = [
  { code: 0x01, name: "txt", modality: "text", extensions: [".txt"], mime: "text/plain" },
  { code: 0x02, name: "md", modality: "text", extensions: [".md"], mime: "text/markdown" },
  { code: 0x03, name: "pdf", modality: "text", extensions: [".pdf"], mime: "application/pdf" },
  {
    code: 0x04,
    name: "docx",
    modality: "text",
    extensions: [".docx"],
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  },
  { code: 0x10, name: "png", modality: "image", extensions: [".png"], mime: "image/png" },
  { code: 0x11, name: "jpeg", modality: "image", extensions: [".jpg", ".jpeg"], mime: "image/jpeg" },
  { code: 0x12, name: "webp", modality: "image", extensions: [".webp"], mime: "image/webp" },
  { code: 0x13, name: "tiff", modality: "image", extensions: [".tiff", ".tif"], mime: "image/tiff" },
  { code: 0x14, name: "bmp", modality: "image", extensions: [".bmp"], mime: "image/bmp" },
  { code: 0x20, name: "wav", modality: "audio", extensions: [".wav"], mime: "audio/wav" },
  { code: 0x21, name: "mp3", modality: "audio", extensions: [".mp3"], mime: "audio/mpeg" },
  { code: 0x22, name: "flac", modality: "audio", extensions: [".flac"], mime: "audio/flac" },
] as const satisfies readonly FileTypeInfo[];

export type FileTypeName = (typeof FILE_TYPES)[number]["name"];

export const fileTypeByName = (name: FileTypeName): FileTypeInfo => {
  const info = FILE_TYPES.find((type) => type.name === name);
  if (!info) throw new RangeError(`unknown file type ${name}`);
  return info;
};

export const fileTypeByCode = (code: number): FileTypeInfo | undefined => FILE_TYPES.find((type) => type.code === code);

/** Same rule as `FileTypes.belongsTo` on chain. */
export const belongsTo = (code: number, modality: Modality): boolean => fileTypeByCode(code)?.modality === modality;
