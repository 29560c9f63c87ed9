package io.treestore.fts.plugin;

import io.treestore.fts.Analyzer;
import io.treestore.fts.Token;
import java.util.ArrayList;
import java.util.List;

/**
 * A test-only analyzer plugin ({@code test-keep-case}): tokens are runs of non-whitespace
 * characters, kept exactly as written (no lower-casing, no stop words). Registered in
 * {@code src/test/resources/META-INF/services/io.treestore.fts.Analyzer}.
 */
public final class KeepCaseAnalyzer implements Analyzer {
  /** The analyzer's name. */
  public static final String NAME = "test-keep-case";

  /** Creates the analyzer (for {@link java.util.ServiceLoader}). */
  public KeepCaseAnalyzer() {
    // stateless
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Token> analyze(String text) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int position = 0;
    while (i < text.length()) {
      if (Character.isWhitespace(text.charAt(i)) || Character.isISOControl(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < text.length() && !Character.isWhitespace(text.charAt(i))
          && !Character.isISOControl(text.charAt(i))) {
        i++;
      }
      out.add(new Token(text.substring(start, i), position++, start, i));
    }
    return out;
  }
}
