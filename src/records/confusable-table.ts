// Prototype mappings for the confusable skeleton (UTS #39 section 4), cut down to what
// matters for this registry: labels are a-z 0-9 - or xn-- A-labels whose Unicode form
// (after UTS #46, so already case-folded and NFKC) can imitate those ASCII letters.
// Each entry: the lowercase prototype, then the characters that look like it.
// Accented letters need no entry: skeleton() strips combining marks after NFD.
// Sources: the Latin/Cyrillic/Greek/Armenian rows of Unicode's confusables.txt that
// map to ASCII letters, plus the digit look-alikes UTS #39 lists (0, 1) and `5`.

const TABLE: Array<[string, string]> = [
  ['a', '\u0430\u0251\u03b1\u237a\uff41'], // а ɑ α ⍺ ａ
  ['b', '\u042c\u044c\u0185\u0180\uff42'], // Ь ь ƅ ƀ ｂ
  ['c', '\u0441\u03f2\u1d04\u217d\uff43'], // с ϲ ᴄ ⅽ ｃ
  ['d', '\u0501\u217e\u0111\uff44'], // ԁ ⅾ đ ｄ
  ['e', '\u0435\u04bd\u212e\uff45'], // е ҽ ℮ ｅ
  ['f', '\ua799\uff46'], // ꞙ ｆ
  ['g', '\u0261\u0581\u01e5\uff47'], // ɡ ց ǥ ｇ
  ['h', '\u04bb\u0570\u0127\u210e\uff48'], // һ հ ħ ℎ ｈ
  ['i', '\u0456\u0131\u0269\u03b9\u2170\u0268\uff49'], // і ı ɩ ι ⅰ ɨ ｉ
  ['j', '\u0458\u03f3\u0249\uff4a'], // ј ϳ ɉ ｊ
  ['k', '\u03ba\u043a\u0138\u1d0b\uff4b'], // κ к ĸ ᴋ ｋ
  ['l', '\u04cf\u01c0\u05c0\u0627\u0661\u06f1\u217c\u2113\u0142\u0399\u0406\u04c0\u007c\uff4c'], // ӏ ǀ ׀ ا ١ ۱ ⅼ ℓ ł Ι І Ӏ | ｌ
  ['m', '\u043c\u217f\uff4d'], // м ⅿ ｍ
  ['n', '\u0578\uff4e'], // ո ｎ
  ['o', '\u043e\u03bf\u0585\u03c3\u1d0f\u00f8\u0665\u06f5\u09e6\u0a66\u0ae6\u0e50\u0ed0\u1040\u2134\u2c9f\uff4f'], // о ο օ σ ᴏ ø ٥ ۵ ০ ੦ ૦ ๐ ໐ ၀ ℴ ⲟ ｏ
  ['p', '\u0440\u03c1\u03f1\u2374\u2ca3\uff50'], // р ρ ϱ ⍴ ⲣ ｐ
  ['q', '\u051b\u0563\u0566\uff51'], // ԛ գ զ ｑ
  ['r', '\u0433\u1d26\u2c85\uff52'], // г ᴦ ⲅ ｒ
  ['s', '\u0455\ua731\u01bd\uff53'], // ѕ ꜱ ƽ ｓ
  ['t', '\u0167\uff54'], // ŧ ｔ
  ['u', '\u03c5\u057d\u028b\u1d1c\uff55'], // υ ս ʋ ᴜ ｕ
  ['v', '\u03bd\u0475\u1d20\u2174\u2228\uff56'], // ν ѵ ᴠ ⅴ ∨ ｖ
  ['w', '\u051d\u0461\u1d21\u03c9\uff57'], // ԝ ѡ ᴡ ω ｗ
  ['x', '\u0445\u2179\u00d7\u1541\uff58'], // х ⅹ × ᕁ ｘ
  ['y', '\u0443\u04af\u03b3\u028f\u10e7\u0263\uff59'], // у ү γ ʏ ყ ɣ ｙ
  ['z', '\u1d22\u01b6\u0225\uff5a'], // ᴢ ƶ ȥ ｚ
  ['-', '\u2010\u2011\u2012\u2013\u2212\u02d7\u2043\u06d4'], // ‐ ‑ ‒ – − ˗ ⁃ ۔
  // Digits: UTS #39 maps 0 to O and 1 to l; 5 for S is the usual squatting trick.
  ['o', '0\uff10'],
  ['l', '1I\uff11'],
  ['s', '5\uff15'],
];

/** Multi-letter look-alikes, collapsed after the per-character mapping. */
export const SEQUENCES: Record<string, string> = { rn: 'm', vv: 'w', cl: 'd' };

export const PROTOTYPE = new Map<string, string>();
for (const [target, chars] of TABLE) for (const ch of chars) PROTOTYPE.set(ch, target);
