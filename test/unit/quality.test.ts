/**
 * Text quality: English and French prose pass; random letters, random symbols, a repeated line,
 * placeholder text, too-short text, invalid UTF-8 and binary content are refused with the reason and
 * the figures. The thresholds are checked against the calibration margins they were chosen from.
 * PDF and DOCX are judged on the text they show, extracted through the fonts' Unicode maps.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32, deflateRawSync, deflateSync } from "node:zlib";
import { assess, DEFAULT_QUALITY } from "../../attestor/validator/src/quality/index.js";
import { Reason, seededRandom } from "@provena/common";
import { pdfText } from "@provena/content";
import { verdict, type Finding } from "../../attestor/validator/src/quality/score.js";
import { compressionRatio, duplicateLineShare, structureRatio } from "../../attestor/validator/src/quality/text.js";

const PROSE = `The tide came in faster than the charts had promised. By the time we had hauled the second net onto the shingle, the water was already lapping at the wheels of the cart, and Maren was shouting something about the harbour master that none of us could hear over the wind. We left the cart where it stood and carried the catch up the slipway in baskets, two of us to a basket, slipping on the weed and laughing at each other when we fell.

Later, in the kitchen of the old customs house, we sorted the fish by size and wrote down what we had caught in the ledger that the cooperative keeps for the county. Forty-one mackerel, six pollock, a single gurnard that nobody wanted to clean, and a crab that had somehow climbed into the net and refused to let go of it. The ledger goes back to 1923, and reading the early pages is like listening to a conversation between people who never expected anyone else to overhear it.

There is a particular kind of quiet that settles over a fishing village in late October. The holiday cottages are shuttered, the cafe on the front closes at three, and the only sounds after dark are the halyards knocking against the masts and, now and then, a dog barking at something on the beach. My grandmother used to say that October was the month when the village remembered what it was for. I did not understand her until I had spent a winter here myself.

Most of the boats that work out of the harbour today are small, under ten metres, and they fish close to the shore with lines and pots rather than trawls. The economics are hard. Fuel costs have doubled in a decade, the price of crab depends on a market in another continent, and every year there are fewer young people willing to get up at four in the morning to go to sea in the rain. Yet the harbour is not dying, exactly. It is changing shape, the way a coastline does, slowly and then all at once.

When I asked the harbour master what he thought the village would look like in twenty years, he took a long time to answer. He said that the sea would still be here, and the fish, probably, though perhaps not the same fish. He said that the people who stayed would be the ones who loved the place more than they needed it to pay. Then he went back to painting the bollards, which he does every spring whether they need it or not.
`;

const MARKDOWN = `# Calibrating a rain gauge

A tipping-bucket gauge counts how often a small seesaw fills and tips; each tip stands for a fixed depth of rain, usually 0.2 mm. Over time the pivot wears, dust collects in the funnel, and the depth per tip drifts. Calibrate it twice a year, and after any move.

## What you need

- a burette or a measuring cylinder with 1 ml marks
- 500 ml of clean water at room temperature
- the logger's cable, or a pencil and the counter on the base

## Steps

1. Level the gauge with a spirit level on the rim of the funnel, in two directions.
2. Pour the water slowly through the burette, about one drop a second, so the bucket is never flooded.
3. Count the tips. With a 200 mm funnel, 500 ml is 15.9 mm of rain, so a gauge in good order tips 79 or 80 times.
4. Adjust the stop screws half a turn at a time and repeat until three runs in a row agree.

Write the date, the count and the screw positions in the station log. A gauge that will not come within two tips of the expected count usually needs a new pivot, not more adjustment.
`;

const FRENCH = `Le marché ouvre à six heures, mais les premiers camions arrivent bien avant l'aube. Les maraîchers déchargent les cageots de poireaux et de pommes de terre à la lueur des lampadaires, en échangeant des nouvelles de la semaine : la grêle qui a abîmé les salades du côté de la rivière, le prix du gazole, le fils d'un voisin qui est parti travailler en ville. Personne ne parle très fort ; il fait froid, et tout le monde sait ce qu'il a à faire.

Vers sept heures, les habitués commencent à passer. Une vieille dame achète toujours la même chose, six œufs, un bouquet de persil et une demi-livre de beurre, et elle paie toujours avec la monnaie exacte. Le boulanger du coin vient chercher des noix pour son pain du dimanche. Les enfants qui vont à l'école s'arrêtent devant l'étal du fromager, qui leur donne parfois un morceau de comté en cachette de leurs parents.

À midi, tout est fini. On replie les bâches, on balaie les feuilles de chou tombées par terre, et la place redevient un parking ordinaire, comme si rien ne s'était passé. Pourtant, pour ceux qui y viennent chaque semaine, le marché est bien plus qu'un endroit où l'on fait ses courses : c'est le moment où le village se retrouve, se compte, et prend des nouvelles de ceux qui ne sont pas venus.
`;

const utf8 = (text: string) => new TextEncoder().encode(text);

const random = seededRandom(42);
const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]!).join("");
const randomLetters = (n: number) => pick("abcdefghijklmnopqrstuvwxyz", n);
/** Random "words" of 2–9 letters with spaces and the odd full stop and line break: gibberish with a prose shape. */
function randomWords(n: number) {
  let text = "";
  while (text.length < n) text += randomLetters(2 + Math.floor(random() * 8)) + (random() < 0.1 ? ".\n" : " ");
  return text.slice(0, n);
}
const randomPrintable = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join("");
const randomHanzi = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x4e00 + Math.floor(random() * 3000))).join("");

test("English prose, Markdown and French prose are accepted with a high score and the figures named", async () => {
  const prose = await assess(utf8(PROSE), "txt");
  assert.equal(prose.accept, true, prose.explanation);
  assert.equal(prose.reason, Reason.Accepted);
  assert.ok(prose.score >= 90, `score ${prose.score}`);
  assert.match(
    prose.explanation,
    /^accepted, score \d+: text of 2,315 bytes \(2,315 characters\); compression ratio 0\.\d\d \(gibberish above 0\.90, repetition below 0\.10 refused\); structure ratio 0\.\d\d/,
  );
  assert.equal(prose.checks.characters, 2315);
  assert.equal(prose.checks.duplicateLineShare, 0);
  for (const [text, type] of [
    [MARKDOWN, "md"],
    [FRENCH, "txt"],
  ] as const) {
    const result = await assess(utf8(text), type);
    assert.equal(result.accept, true, result.explanation);
    assert.ok(result.score >= 80, `${type}: score ${result.score}`);
  }
});

test("random letters, random words and random symbols are refused as gibberish", async () => {
  for (const text of [randomLetters(3000), randomWords(3000), randomHanzi(1500)]) {
    const result = await assess(utf8(text), "txt");
    assert.deepEqual([result.accept, result.score, result.reason], [false, 0, Reason.LowQuality], result.explanation);
    assert.match(
      result.explanation,
      /^refused as low quality: structure ratio (0\.9[89]|1\.\d\d): no more structure than shuffled characters, gibberish above 0\.95/,
    );
  }
  // Too short for the structure ratio, but random symbols barely compress at all.
  const symbols = await assess(utf8(randomPrintable(300)), "txt");
  assert.equal(symbols.reason, Reason.LowQuality);
  assert.match(symbols.explanation, /compression ratio 0\.9\d: random-looking, gibberish above 0\.90/);
});

test("a line repeated 500 times is refused as repetitive boilerplate", async () => {
  const result = await assess(utf8("Click here to claim your free reward today!\n".repeat(500)), "txt");
  assert.deepEqual([result.accept, result.reason], [false, Reason.LowQuality]);
  assert.match(
    result.explanation,
    /compression ratio 0\.0\d: repetitive, under 0\.10; 99\.8% of its lines are repeats: boilerplate above 50%/,
  );
  assert.equal(result.checks.duplicateLineShare, 499 / 500);
});

test("some repeated lines lower the score; most of a text repeating refuses it", async () => {
  const paragraphs = PROSE.split("\n\n");
  const boilerplate = "This text was submitted through the community portal.";
  const some = paragraphs.map((p) => `${p}\n${boilerplate}`).join("\n\n"); // 4 repeats of 10 counted lines
  const result = await assess(utf8(some), "txt");
  assert.equal(result.accept, true, result.explanation);
  assert.ok(result.score < 75 && result.score >= 60, `score ${result.score}`); // 40% duplicates: a factor of 2/3
  assert.match(result.explanation, /40% duplicate lines/);
  const most = paragraphs.map((p) => `${p}\n${`${boilerplate}\n`.repeat(5)}`).join("\n");
  assert.match((await assess(utf8(most), "txt")).explanation, /of its lines are repeats: boilerplate above 50%/);
});

test("too-short text is refused with its length and the minimum", async () => {
  const result = await assess(utf8("Tide tables for the week, see the harbour office."), "txt");
  assert.deepEqual([result.accept, result.score, result.reason], [false, 0, Reason.LowQuality]);
  assert.match(result.explanation, /^refused as low quality: only 49 bytes \(49 characters\), under the minimum of 200 bytes/);
  // The minimum is an option.
  const lenient = await assess(utf8(PROSE.slice(0, 150)), "txt", { minBytes: 100 });
  assert.equal(lenient.accept, true, lenient.explanation);
  // Just over the minimum, length alone lowers the score.
  assert.ok(lenient.score < (await assess(utf8(PROSE), "txt")).score);
});

test("every script is measured alike: length in UTF-8 bytes, structure judged once a CJK text is long enough to tell", async () => {
  // The same paragraph in English and in Chinese: 3.2 times as many characters in English, about as many bytes.
  const english =
    "The small town stands where two rivers meet, and since ancient times it has been a stop that no merchant travelling between north and south could avoid. As early as the Song dynasty the wharves outside the town were crowded with grain boats, and traders set up stalls along the banks, selling tea, silk, porcelain and salt. Every spring, when the river rose, the boatmen gathered at the temple by the ferry to pray for a safe season, and the market in front of it stayed open late into the night.\n";
  const chinese =
    "这座小城坐落在两条河流的交汇处，自古以来就是南北货物往来的必经之地。早在宋代，城外的码头上就停满了运粮的船只，商人们在岸边摆起摊位，出售茶叶、丝绸、瓷器和食盐。每年春天河水上涨的时候，船工们都会聚集在渡口旁的庙里，祈求一年平安，庙前的集市也会一直热闹到深夜。\n";
  const [en, zh] = [await assess(utf8(english), "txt"), await assess(utf8(chinese), "txt")];
  assert.equal(zh.accept, true, zh.explanation);
  assert.ok([...english].length > 3 * [...chinese].length);
  assert.ok(Math.abs(en.score - zh.score) <= 5, `English ${en.score}, Chinese ${zh.score}`);
  assert.deepEqual([zh.checks.bytes, zh.checks.characters], [Buffer.byteLength(chinese), [...chinese].length]);
  assert.ok((zh.checks.cjkShare as number) > 0.9);
  // Random Chinese characters: refused by their structure once there are enough of them to tell (1,500).
  const alphabet = [...new Set([...chinese.repeat(1)].filter((c) => /\p{Script=Han}/u.test(c)))];
  const random = seededRandom(0xc0ffee);
  const gibberish = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
  const long = await assess(utf8(gibberish(1_600)), "txt");
  assert.deepEqual([long.accept, long.reason], [false, Reason.LowQuality]);
  assert.match(long.explanation, /structure ratio/);
});

test("lorem ipsum placeholder text is refused; a text mentioning it is not", async () => {
  const lorem =
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.\n";
  const result = await assess(utf8(`# Our story\n\n${lorem}\n${lorem.slice(0, 120)}\n`), "md");
  assert.deepEqual([result.accept, result.reason, result.checks.loremIpsum], [false, Reason.LowQuality, true]);
  assert.match(result.explanation, /lorem ipsum placeholder text/);
  const mention = await assess(utf8(`${PROSE}\nPrinters have filled empty pages with "lorem ipsum" since the 1500s.\n`), "txt");
  assert.deepEqual([mention.accept, mention.checks.loremIpsum], [true, false]);
});

test("invalid UTF-8 and binary control characters are refused as unreadable", async () => {
  const invalid = Uint8Array.from([...utf8(PROSE.slice(0, 500)), 0xc3, 0x28, ...utf8(PROSE.slice(500, 900))]);
  assert.deepEqual(await assess(invalid, "txt"), {
    accept: false,
    score: 0,
    reason: Reason.Corrupt,
    explanation: "refused as corrupt or unreadable: the text is not valid UTF-8.",
    checks: {},
  });
  const binary = PROSE.replace(/e/g, "e\u0001");
  const result = await assess(utf8(binary), "txt");
  assert.equal(result.reason, Reason.Corrupt);
  assert.match(result.explanation, /% control characters, above the 1% of unreadable text/);
  // A stray control character only lowers the score.
  const stray = await assess(utf8(`${PROSE}\u0007`), "txt");
  assert.equal(stray.accept, true);
  assert.match(stray.explanation, /<0\.1% control characters/);
});

test("the thresholds hold with a margin on the calibration texts", () => {
  const texts = { prose: PROSE, markdown: MARKDOWN, french: FRENCH };
  // Natural text from 500 characters on: well under the 0.95 gibberish limit of the structure ratio
  // (and under the 0.90 where the score starts to be lowered).
  for (const [name, text] of Object.entries(texts)) {
    for (const length of [500, 1000, text.length]) {
      const ratio = structureRatio(text.slice(0, length));
      assert.ok(ratio < 0.88, `${name} at ${length}: structure ratio ${ratio.toFixed(3)}`);
    }
    // Raw compression of natural text stays far from both raw limits, even short.
    for (const length of [200, 500, text.length]) {
      const raw = compressionRatio(text.slice(0, length));
      assert.ok(raw > 0.3 && raw < 0.8, `${name} at ${length}: compression ratio ${raw.toFixed(3)}`);
    }
    assert.ok(duplicateLineShare(text) < 0.2);
  }
  // Random text, whatever its alphabet, has no structure: ~1.0.
  for (const make of [randomLetters, randomWords, randomPrintable, randomHanzi]) {
    for (const length of [500, 1000, 5000]) {
      const ratio = structureRatio(make(length));
      assert.ok(ratio > 0.98, `${make.name} at ${length}: structure ratio ${ratio.toFixed(3)}`);
    }
  }
  // Raw ratio alone could not have told random letters (~0.6) from short prose (~0.55–0.7).
  const letters = compressionRatio(randomLetters(1000));
  assert.ok(letters > 0.58 && letters < 0.7, `random letters: ${letters.toFixed(3)}`);
  assert.ok(compressionRatio(randomPrintable(300)) > 0.9);
  assert.ok(compressionRatio("The same line again.\n".repeat(100)) < 0.1);
});

test("the same text gets the same verdict every time (the shuffle is seeded)", async () => {
  const text = utf8(randomWords(2000) + PROSE);
  assert.deepEqual(await assess(text, "txt"), await assess(text, "txt"));
});

// ------------------------------------------------------------------ scoring

test("the verdict: factors multiply, a refusal scores 0, and a low product is refused", () => {
  const fine: Finding = { factor: 0.9, says: "fine" };
  const meh: Finding = { factor: 0.5, says: "meh" };
  assert.deepEqual(verdict([fine, fine], { a: 1 }, DEFAULT_QUALITY), {
    accept: true,
    score: 81,
    reason: Reason.Accepted,
    explanation: "accepted, score 81: fine; fine.",
    checks: { a: 1 },
  });
  assert.deepEqual(
    verdict([fine, meh], {}, DEFAULT_QUALITY).explanation,
    "refused as low quality, score 45 under the 50 needed: fine; meh.",
  );
  assert.equal(verdict([fine, meh], {}, { ...DEFAULT_QUALITY, minScore: 45 }).accept, true);
  const corrupt: Finding = { factor: 0, refuse: Reason.Corrupt, says: "broken" };
  assert.deepEqual(verdict([fine, corrupt], {}, DEFAULT_QUALITY), {
    accept: false,
    score: 0,
    reason: Reason.Corrupt,
    explanation: "refused as corrupt or unreadable: broken; also measured: fine.",
    checks: {},
  });
});

// ------------------------------------------------------------------ PDF

const latin = (text: string) => Uint8Array.from(Buffer.from(text, "latin1"));
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));
const stream = (number: number, content: Uint8Array, dict = "") => {
  const data = deflateSync(content);
  return concat(
    latin(`${number} 0 obj\n<< /Length ${data.length} /Filter /FlateDecode ${dict}>>\nstream\n`),
    data,
    latin("\nendstream\nendobj\n"),
  );
};

/** A one-page PDF showing `content` with font /F1 = object 5 (`font`), plus `extra` objects. */
function pdf(content: string, font: string, extra: Uint8Array[] = []) {
  return concat(
    latin("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    latin("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"),
    latin("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n"),
    latin("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n"),
    stream(4, latin(content)),
    latin(`5 0 obj\n${font}\nendobj\n`),
    ...extra,
    latin("xref\n0 6\n0000000000 65535 f \ntrailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n123\n%%EOF\n"),
  );
}

/** What pdf.js reads from a PDF, or its refusal. */
const shownText = async (bytes: Uint8Array) => {
  const read = await pdfText(bytes);
  return read.ok ? read.text : `${read.error}: ${read.message}`;
};

const escapePdf = (line: string) => line.replace(/[\\()]/g, (c) => `\\${c}`);
/** PROSE wrapped as a page's lines (at most 80 characters, within the page at 9 pt), one Tj a line, T* between, paragraphs apart by an empty line. */
const proseContent = (show: (line: string) => string) => {
  const lines: string[] = [];
  for (const paragraph of PROSE.trim().split("\n\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      if (line && line.length + word.length + 1 > 80) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line, "");
  }
  return `BT /F1 9 Tf 11 TL 40 760 Td ${lines.map((line) => (line ? `${show(line)} Tj T*` : "T*")).join(" ")} ET`;
};
/** The words of a text, one space apart: pdf.js ends lines where the page does. */
const words = (text: string) => text.split(/\s+/).filter(Boolean).join(" ");
const HELVETICA = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

test("a PDF's shown text is extracted and judged like any text", async () => {
  const document = pdf(
    proseContent((line) => `(${escapePdf(line)})`),
    HELVETICA,
  );
  assert.equal(words(await shownText(document)), words(PROSE));
  const result = await assess(document, "pdf");
  assert.equal(result.accept, true, result.explanation);
  assert.deepEqual([result.checks.characters, result.checks.extractedFrom], [[...(await shownText(document))].length, "pdf"]);
  // TJ arrays: kerning that wide is a word space; escapes and octal codes are decoded.
  const kerned = pdf("BT /F1 11 Tf [(Tide)-333(tables)20(,)-300(\\(week\\) \\2224)] TJ ET", HELVETICA);
  assert.equal(await shownText(kerned), "Tide tables, (week) ’4");
});

test("a PDF in a Type0 font is read through its ToUnicode CMap, and refused as unreadable without one", async () => {
  // Glyph ids: character code − 29 (as a subset font numbers its glyphs), two bytes each.
  const glyphs = (line: string) => `<${[...line].map((c) => (c.charCodeAt(0) - 29).toString(16).padStart(4, "0")).join("")}>`;
  const cmap = latin(
    "/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfrange <0003> <0061> <0020> <0062> <0062> [<2019>] endbfrange 1 beginbfchar <0063> <00E9> endbfchar endcmap end end",
  );
  const type0 = (toUnicode: string) =>
    `<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Serif /Encoding /Identity-H /DescendantFonts [7 0 R]${toUnicode} >>`;
  // Its CID font, not embedded (a reader draws it with a substitute; the text is read through the CMap).
  const cidFont = latin(
    "7 0 obj\n<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Serif /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 /FontDescriptor 8 0 R >>\nendobj\n" +
      "8 0 obj\n<< /Type /FontDescriptor /FontName /ABCDEF+Serif /Flags 32 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>\nendobj\n",
  );
  const withMap = pdf(proseContent(glyphs), type0(" /ToUnicode 6 0 R"), [stream(6, cmap), cidFont]);
  assert.equal(words(await shownText(withMap)), words(PROSE));
  assert.equal((await assess(withMap, "pdf")).accept, true);
  assert.equal(
    await shownText(pdf("BT /F1 9 Tf 40 700 Td <00620063> Tj ET", type0(" /ToUnicode 6 0 R"), [stream(6, cmap), cidFont])),
    "’é",
  );

  const withoutMap = await assess(pdf(proseContent(glyphs), type0(""), [cidFont]), "pdf");
  assert.deepEqual([withoutMap.accept, withoutMap.reason], [false, Reason.Corrupt]);
  assert.match(withoutMap.explanation, /control characters, above the 1% of unreadable text/);
});

test("a PDF the sniffer refuses keeps the sniffer's reason", async () => {
  const image = pdf(
    proseContent((line) => `(${escapePdf(line)})`),
    HELVETICA,
    [latin("8 0 obj\n<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /Length 3 >>\nstream\nabc\nendstream\nendobj\n")],
  );
  const withImage = await assess(image, "pdf");
  assert.deepEqual(
    [withImage.reason, withImage.explanation],
    [Reason.WrongType, "refused as wrong type: contains an image XObject: only text PDFs are accepted."],
  );
  const whole = pdf("BT /F1 11 Tf (Short) Tj ET", HELVETICA);
  assert.equal((await assess(whole.subarray(0, whole.length - 30), "pdf")).reason, Reason.Corrupt);
  assert.equal((await assess(whole, "pdf")).reason, Reason.LowQuality); // five characters
});

// ------------------------------------------------------------------ DOCX

const u16 = (n: number) => [n & 255, (n >>> 8) & 255];
const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

/** A minimal deflating ZIP writer (as in sniffDocx.test.ts). */
function zip(entries: { name: string; content: Uint8Array }[]): Uint8Array {
  const local: number[] = [];
  const central: number[] = [];
  for (const { name, content } of entries) {
    const body = deflateRawSync(content);
    const header = [
      ...u16(20),
      ...u16(0),
      ...u16(8),
      ...u16(0),
      ...u16(0),
      ...u32(crc32(content)),
      ...u32(body.length),
      ...u32(content.length),
      ...u16(name.length),
    ];
    central.push(
      ...u32(0x02014b50),
      ...u16(20),
      ...header,
      ...u16(0),
      ...u16(0),
      ...u16(0),
      ...u16(0),
      ...u32(0),
      ...u32(local.length),
      ...Buffer.from(name),
    );
    local.push(...u32(0x04034b50), ...header, ...u16(0), ...Buffer.from(name), ...body);
  }
  const end = [
    ...u32(0x06054b50),
    ...u16(0),
    ...u16(0),
    ...u16(entries.length),
    ...u16(entries.length),
    ...u32(central.length),
    ...u32(local.length),
    ...u16(0),
  ];
  return Uint8Array.from([...local, ...central, ...end]);
}

const CONTENT_TYPES = utf8(
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
);
const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
/** A Word document with a paragraph a line of `text`, each split over two runs as Word does. */
const docx = (text: string) => {
  const paragraphs = text
    .split("\n")
    .map(
      (line) =>
        `<w:p><w:r><w:t>${escapeXml(line.slice(0, 10))}</w:t></w:r><w:r><w:t xml:space="preserve">${escapeXml(line.slice(10))}</w:t></w:r></w:p>`,
    );
  return zip([
    { name: "[Content_Types].xml", content: CONTENT_TYPES },
    {
      name: "word/document.xml",
      content: utf8(`<?xml version="1.0"?><w:document xmlns:w="w"><w:body>${paragraphs.join("")}</w:body></w:document>`),
    },
  ]);
};

test("a Word document is judged on its text, a line per paragraph", async () => {
  const prose = await assess(docx(PROSE.trim()), "docx");
  assert.equal(prose.accept, true, prose.explanation);
  assert.deepEqual([prose.checks.characters, prose.checks.lines, prose.checks.extractedFrom], [PROSE.trim().length, 9, "docx"]);
  const spam = await assess(docx("Visit our shop for the best prices in town!\n".repeat(200)), "docx");
  assert.deepEqual([spam.accept, spam.reason], [false, Reason.LowQuality]);
  const broken = docx(PROSE);
  assert.equal((await assess(broken.subarray(0, broken.length - 10), "docx")).reason, Reason.Corrupt);
  assert.equal((await assess(utf8(PROSE), "docx")).reason, Reason.WrongType);
});

test("assess never throws: arbitrary bytes for every text type give a refusal with a reason", async () => {
  const next = seededRandom(7);
  for (let i = 0; i < 60; i++) {
    const bytes = Uint8Array.from({ length: (i * 37) % 700 }, () => Math.floor(next() * 256));
    for (const type of ["txt", "md", "pdf", "docx"] as const) {
      const result = await assess(bytes, type);
      assert.ok([2, 3, 6].includes(result.reason) && !result.accept, `${type}: ${result.explanation}`);
    }
  }
  const damaged = pdf(
    proseContent((line) => `(${escapePdf(line)})`),
    HELVETICA,
  );
  for (let i = 0; i < 200; i++) {
    const copy = Uint8Array.from(damaged);
    copy[(i * 7919) % copy.length] = Math.floor(next() * 256);
    const result = await assess(copy, "pdf");
    assert.equal(typeof result.explanation, "string");
  }
});
