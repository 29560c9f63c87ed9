package io.treestore.fts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The {@code standard} analyzer exactly as DESIGN.md section 5 states it: tokens are maximal
 * runs of letters (L*) and decimal digits (Nd), lower-cased with {@link Locale#ROOT}, the 33
 * English stop words dropped, tokens over 255 code points (counted before lower-casing)
 * dropped; every run takes a position; offsets are {@code char} offsets into the input.
 */
class StandardAnalyzerTest {
  private static final long SEED = Long.getLong("ts.seed", System.nanoTime());

  /** The stop list, copied from DESIGN.md section 5 (not from the code). */
  private static final String DESIGN_STOP_LIST = "a an and are as at be but by for if in into"
      + " is it no not of on or such that the their then there these they this to was will"
      + " with";

  private final StandardAnalyzer analyzer = new StandardAnalyzer();

  private List<String> terms(String text) {
    return analyzer.analyze(text).stream().map(Token::term).toList();
  }

  @Test
  void exactlyTheThirtyThreeStopWordsOfTheDesignAreDropped() {
    Set<String> design = new TreeSet<>(List.of(DESIGN_STOP_LIST.split(" ")));
    assertEquals(33, design.size());
    assertEquals(design, new TreeSet<>(StandardAnalyzer.STOP_WORDS));
    for (String w : design) {
      assertEquals(List.of(), terms(w), "stop word '" + w + "' must be dropped");
      assertEquals(List.of(), terms(w.toUpperCase(Locale.ROOT)),
          "stop word '" + w + "' must be dropped in upper case too (after lower-casing)");
      assertEquals(List.of("x" + w), terms("x" + w), "a longer word containing '" + w
          + "' is not a stop word");
    }
    // words that other stop lists have, but this one does not
    for (String w : List.of("i", "me", "we", "you", "he", "she", "from", "have", "has", "had",
        "were", "been", "do", "does", "its", "our", "so", "than", "too", "very", "can", "what",
        "which", "who", "all", "any", "some", "s", "t", "about", "up", "out", "one")) {
      assertEquals(List.of(w), terms(w), "'" + w + "' is not in the design's stop list");
    }
  }

  @Test
  void lowerCasingUsesTheRootLocale() {
    Locale saved = Locale.getDefault();
    try {
      // the default locale must not matter: Turkish would map I to dotless ı
      Locale.setDefault(Locale.forLanguageTag("tr-TR"));
      assertEquals(List.of("istanbul", "ıi"), terms("ISTANBUL ıI"));
      // dotted capital İ lower-cases to i + combining dot above (U+0307) in the root locale
      assertEquals(List.of("i\u0307zmir"), terms("İzmir"));
      // ß stays ß, the capital sharp s lower-cases to ß, nothing is case-folded to "ss"
      assertEquals(List.of("straße", "straße", "strasse"), terms("Straße STRAẞE STRASSE"));
      // Greek: final sigma at the end of a word, medial sigma elsewhere, lone Σ is σ
      assertEquals(List.of("οδος", "σοφια", "σ"), terms("ΟΔΟΣ ΣΟΦΙΑ Σ"));
      assertEquals("\u03c2", terms("ΟΔΟΣ").get(0).substring(3));
      assertEquals(List.of("ǆ", "ǆ"), terms("ǅ Ǆ")); // title-case digraph
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void tokensAreRunsOfLettersAndDecimalDigitsOnly() {
    // Nd digits of other scripts belong to tokens
    assertEquals(List.of("٣٤٥", "१२३", "x٣"), terms("٣٤٥ १२३ x٣"));
    // No (superscript two, vulgar fraction), Nl (roman numeral twelve) are not letters or
    // decimal digits: they separate tokens
    assertFalse(Character.isLetter('²') || Character.isDigit('²'));
    assertFalse(Character.isLetter('Ⅻ') || Character.isDigit('Ⅻ'));
    assertEquals(List.of("x", "y"), terms("x²y"));
    assertEquals(List.of("1", "2"), terms("1½2"));
    assertEquals(List.of("chapter", "intro"), terms("chapterⅫintro"));
    // Mn (combining acute) and Mc (Devanagari visarga) split tokens; precomposed é does not
    assertFalse(Character.isLetter('\u0301'));
    assertEquals(List.of("cafe", "s"), terms("cafe\u0301s"));
    assertEquals(List.of("cafés"), terms("cafés"));
    assertEquals(List.of("क", "ख"), terms("क\u0903ख"));
    // Lm (modifier letter) and Lo are letters
    assertEquals(List.of("kʰa"), terms("kʰa"));
    // punctuation, symbols, connectors, apostrophes, hyphens all split
    assertEquals(List.of("e", "mail", "don", "t", "snake", "case", "12", "5", "us", "2024"),
        terms("e-mail don't snake_case 12.5% $US/2024"));
    // a run of Chinese characters (no spaces) is one token; Japanese kana too
    assertEquals(List.of("中文分词测试", "ひらがなカタカナ"), terms("中文分词测试、ひらがなカタカナ。"));
    // letters of other scripts are lower-cased too
    assertEquals(List.of("привет", "мир"), terms("ПРИВЕТ, Мир!"));
  }

  @Test
  void supplementaryLettersAreTokensAndOffsetsCountChars() {
    String bold = "\uD835\uDC00\uD835\uDC01"; // 𝐀𝐁, MATHEMATICAL BOLD CAPITAL A and B (Lu)
    assertTrue(Character.isLetter(bold.codePointAt(0)));
    String text = "x " + bold + " 𝟗"; // 𝟗 MATHEMATICAL BOLD DIGIT NINE is Nd
    List<Token> t = analyzer.analyze(text);
    assertEquals(3, t.size(), t.toString());
    // no lower-case mapping exists for math letters: they stay as they are
    assertEquals(new Token(bold, 1, 2, 6), t.get(1));
    assertEquals(new Token("𝟗", 2, 7, 9), t.get(2));
    // an unpaired surrogate is not a letter: it separates tokens
    assertEquals(List.of("ab", "cd"), terms("ab\uD835cd"));
    assertEquals(List.of("ab", "cd"), terms("ab\uDC00cd"));
  }

  @Test
  void tokensLongerThan255CodePointsCountedBeforeLowerCasingAreDropped() {
    String a255 = "a".repeat(255);
    String a256 = "a".repeat(256);
    assertEquals(List.of(a255), terms(a255));
    assertEquals(List.of(), terms(a256));
    assertEquals(List.of("x", "y"), terms("x " + a256 + " y"));
    // code points, not chars: 255 supplementary letters are 510 chars and kept
    String sup255 = "\uD835\uDC00".repeat(255);
    assertEquals(List.of(sup255), terms(sup255));
    assertEquals(List.of(), terms("\uD835\uDC00".repeat(256)));
    // counted before lower-casing: İ lower-cases to two code points (i + U+0307), so 255 of
    // them make a 510-code-point term, still kept; 256 are dropped
    List<String> dotted = terms("İ".repeat(255));
    assertEquals(1, dotted.size());
    assertEquals("i\u0307".repeat(255), dotted.get(0));
    assertEquals(510, dotted.get(0).codePointCount(0, dotted.get(0).length()));
    assertEquals(List.of(), terms("İ".repeat(256)));
    // the dropped token still takes its position
    List<Token> t = analyzer.analyze("x " + a256 + " y");
    assertEquals(0, t.get(0).position());
    assertEquals(2, t.get(1).position());
  }

  @Test
  void positionsCountDroppedTokensAndOffsetsAreCharOffsets() {
    String text = "The policy of the Company, 2024!";
    List<Token> t = analyzer.analyze(text);
    assertEquals(List.of(new Token("policy", 1, 4, 10), new Token("company", 4, 18, 25),
        new Token("2024", 5, 27, 31)), t);
    for (Token k : t) {
      assertEquals(k.term(), text.substring(k.start(), k.end()).toLowerCase(Locale.ROOT));
    }
  }

  @Test
  void controlCharactersAndNulSeparateTokens() {
    assertEquals(List.of("foo", "bar", "baz", "qux", "end"),
        terms("foo\u0000bar\u0007baz\u001Bqux\u007F\u0085end"));
    List<Token> t = analyzer.analyze("\u0000x\r\ny\t\u2028z");
    assertEquals(List.of(new Token("x", 0, 1, 2), new Token("y", 1, 4, 5),
        new Token("z", 2, 7, 8)), t);
    assertEquals(List.of(), analyzer.analyze(""));
    assertEquals(List.of(), analyzer.analyze(" \u0000\t.,;!?"));
  }

  /** A random text against an independent re-implementation written from the design's words. */
  @Test
  void randomTextsAgreeWithAnIndependentReading() {
    Random r = new Random(SEED);
    int[] alphabet = {'a', 'Z', 'é', 'İ', 'ß', 'Σ', 'ς', '中', '٣', '5', '²', 'Ⅻ', 0x0301, ' ',
        '\n', 0, '-', '\'', 0x1D400, 0x1D7D7, 0xD835, 'x', 'T', 'h', 'e', 'o', 'f',
        // the ASCII table's edges: '/' '0' '9' ':' '@' 'A' 'Z' '[' '`' 'a' 'z' '{' DEL
        '/', '0', '9', ':', '@', 'A', '[', '`', 'z', '{', 0x7F, 0x80, 0xAA};
    Set<String> stops = Set.of(DESIGN_STOP_LIST.split(" "));
    for (int round = 0; round < 2000; round++) {
      StringBuilder sb = new StringBuilder();
      int len = r.nextInt(40);
      for (int i = 0; i < len; i++) {
        if (r.nextInt(30) == 0) {
          sb.append(switch (r.nextInt(3)) {
            case 0 -> "the ";
            case 1 -> "OF ";
            default -> "These ";
          });
        }
        sb.appendCodePoint(alphabet[r.nextInt(alphabet.length)]);
      }
      if (r.nextInt(20) == 0) {
        sb.append("a".repeat(250 + r.nextInt(10)));
      }
      String text = sb.toString();
      List<Token> expected = new ArrayList<>();
      int pos = 0;
      int i = 0;
      while (i < text.length()) {
        int cp = text.codePointAt(i);
        int type = Character.getType(cp);
        boolean word = type == Character.UPPERCASE_LETTER || type == Character.LOWERCASE_LETTER
            || type == Character.TITLECASE_LETTER || type == Character.MODIFIER_LETTER
            || type == Character.OTHER_LETTER || type == Character.DECIMAL_DIGIT_NUMBER;
        if (!word) {
          i += Character.charCount(cp);
          continue;
        }
        int start = i;
        int cps = 0;
        while (i < text.length()) {
          int c = text.codePointAt(i);
          int ty = Character.getType(c);
          if (!(ty == Character.UPPERCASE_LETTER || ty == Character.LOWERCASE_LETTER
              || ty == Character.TITLECASE_LETTER || ty == Character.MODIFIER_LETTER
              || ty == Character.OTHER_LETTER || ty == Character.DECIMAL_DIGIT_NUMBER)) {
            break;
          }
          cps++;
          i += Character.charCount(c);
        }
        String term = text.substring(start, i).toLowerCase(Locale.ROOT);
        if (cps <= 255 && !stops.contains(term)) {
          expected.add(new Token(term, pos, start, i));
        }
        pos++;
      }
      assertEquals(expected, analyzer.analyze(text), "text " + text.codePoints()
          .mapToObj(Integer::toHexString).toList() + " (seed " + SEED + ")");
    }
  }
}
