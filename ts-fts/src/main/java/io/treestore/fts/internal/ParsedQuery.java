package io.treestore.fts.internal;

import io.treestore.fts.Analyzer;
import io.treestore.fts.QuerySyntaxException;
import io.treestore.fts.Token;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A parsed query. Grammar (whitespace separates clauses):
 *
 * <pre>
 * query   = clause*
 * clause  = boost | [ "+" | "-" ] [ field ":" ] ( word | phrase )
 * boost   = field "^" number          (a field boost, for example title^2)
 * phrase  = '"' chars '"'
 * word    = any run of characters other than whitespace and '"'
 * </pre>
 *
 * <p>{@code field} is one of the index's fields; a word whose part before {@code :} or
 * {@code ^} is not a field is an ordinary word. Words and phrases are analyzed with the
 * index's analyzer: a word that yields several tokens gives several terms with the same
 * modifier, one that yields none (a stop word) is dropped, a phrase of one token is a term.
 *
 * @param clauses the clauses, duplicates of a (term, field) pair merged (required wins)
 * @param boosts a weight per field index (1 unless boosted)
 * @param positive whether the query text had a term or phrase that is not excluded
 */
public record ParsedQuery(List<Clause> clauses, double[] boosts, boolean positive) {
  /** The longest query accepted, in {@code char}s. */
  public static final int MAX_CHARS = 4096;
  /** The most clauses accepted. */
  public static final int MAX_CLAUSES = 256;

  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,6}(\\.[0-9]{1,6})?");

  /** How a clause takes part. */
  public enum Occur {
    /** Adds to the score; a unit needs at least one optional or required clause. */
    SHOULD,
    /** The unit must match; adds to the score. */
    MUST,
    /** The unit must not match. */
    MUST_NOT
  }

  /**
   * A term or a phrase.
   *
   * @param occur how it takes part
   * @param terms the terms (one for a term clause)
   * @param offsets each term's position relative to the first (phrases)
   * @param field the field it is restricted to, or -1 for the whole unit
   */
  public record Clause(Occur occur, List<String> terms, int[] offsets, int field) {
    /**
     * Tells whether this is a phrase.
     *
     * @return {@code true} if it has more than one term
     */
    public boolean phrase() {
      return terms.size() > 1;
    }
  }

  /**
   * Parses a query.
   *
   * @param query the query text
   * @param analyzer the index's analyzer
   * @param fields the index's fields
   * @return the query
   * @throws QuerySyntaxException on a syntax error (with its position), an empty query or one
   *     with only excluded terms
   * @throws IllegalArgumentException if the query is over {@value #MAX_CHARS} chars or has
   *     over {@value #MAX_CLAUSES} clauses
   */
  public static ParsedQuery parse(String query, Analyzer analyzer, List<String> fields) {
    if (query.length() > MAX_CHARS) {
      throw new IllegalArgumentException("query is " + query.length() + " characters, at most "
          + MAX_CHARS);
    }
    if (query.isBlank()) {
      throw new QuerySyntaxException("empty query", 0);
    }
    double[] boosts = new double[fields.size()];
    Arrays.fill(boosts, 1.0);
    Map<String, Clause> merged = new LinkedHashMap<>();
    boolean positive = false;
    boolean anyTerm = false;
    int firstExcluded = -1;
    int n = query.length();
    int i = 0;
    while (i < n) {
      char c = query.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        i++;
        continue;
      }
      int start = i;
      Occur occur = Occur.SHOULD;
      if (c == '+' || c == '-') {
        occur = c == '+' ? Occur.MUST : Occur.MUST_NOT;
        i++;
        if (i >= n || Character.isWhitespace(query.charAt(i))
            || Character.isISOControl(query.charAt(i))) {
          throw new QuerySyntaxException("'" + c + "' must be followed by a term", start);
        }
      }
      int field = -1;
      String text;
      boolean phrase;
      int textAt;
      if (query.charAt(i) == '"') {
        phrase = true;
        int close = query.indexOf('"', i + 1);
        if (close < 0) {
          throw new QuerySyntaxException("unclosed phrase", i);
        }
        text = query.substring(i + 1, close);
        textAt = i;
        i = close + 1;
      } else {
        int j = i;
        while (j < n && !Character.isWhitespace(query.charAt(j))
            && !Character.isISOControl(query.charAt(j)) && query.charAt(j) != '"') {
          j++;
        }
        String word = query.substring(i, j);
        int caret = word.indexOf('^');
        int colon = word.indexOf(':');
        if (caret > 0 && (colon < 0 || colon > caret)
            && fields.contains(word.substring(0, caret))) {
          if (occur != Occur.SHOULD) {
            throw new QuerySyntaxException("a field boost takes no '+' or '-'", start);
          }
          String num = word.substring(caret + 1);
          double w = NUMBER.matcher(num).matches() ? Double.parseDouble(num) : -1;
          if (!(w > 0 && w <= 1000)) {
            throw new QuerySyntaxException("boost must be a number above 0 and at most 1000,"
                + " was '" + num + "'", i + caret + 1);
          }
          boosts[fields.indexOf(word.substring(0, caret))] = w;
          i = j;
          continue;
        }
        if (colon > 0 && fields.contains(word.substring(0, colon))) {
          field = fields.indexOf(word.substring(0, colon));
          String rest = word.substring(colon + 1);
          if (rest.isEmpty()) {
            if (j < n && query.charAt(j) == '"') {
              int close = query.indexOf('"', j + 1);
              if (close < 0) {
                throw new QuerySyntaxException("unclosed phrase", j);
              }
              text = query.substring(j + 1, close);
              textAt = j;
              phrase = true;
              i = close + 1;
            } else {
              throw new QuerySyntaxException("field '" + word.substring(0, colon)
                  + ":' must be followed by a term or phrase", i + colon + 1);
            }
          } else {
            text = rest;
            textAt = i + colon + 1;
            phrase = false;
            i = j;
          }
        } else {
          text = word;
          textAt = i;
          phrase = false;
          i = j;
        }
      }
      if (phrase && text.isBlank()) {
        throw new QuerySyntaxException("empty phrase", textAt);
      }
      anyTerm = true;
      if (occur == Occur.MUST_NOT) {
        if (firstExcluded < 0) {
          firstExcluded = start;
        }
      } else {
        positive = true;
      }
      List<Token> tokens = analyzer.analyze(text);
      if (tokens.isEmpty()) {
        continue;
      }
      if (phrase && tokens.size() > 1) {
        List<String> terms = new ArrayList<>();
        int[] offsets = new int[tokens.size()];
        for (int k = 0; k < tokens.size(); k++) {
          terms.add(tokens.get(k).term());
          offsets[k] = tokens.get(k).position() - tokens.get(0).position();
        }
        add(merged, new Clause(occur, List.copyOf(terms), offsets, field));
      } else {
        for (Token t : tokens) {
          add(merged, new Clause(occur, List.of(t.term()), new int[] {0}, field));
        }
      }
      if (merged.size() > MAX_CLAUSES) {
        throw new IllegalArgumentException("query has over " + MAX_CLAUSES + " terms");
      }
    }
    if (!anyTerm) {
      throw new QuerySyntaxException("query has no terms", 0);
    }
    if (!positive) {
      throw new QuerySyntaxException("query has only excluded terms", firstExcluded);
    }
    return new ParsedQuery(List.copyOf(merged.values()), boosts, positive);
  }

  private static void add(Map<String, Clause> merged, Clause c) {
    String key = (c.occur() == Occur.MUST_NOT ? "-" : "+") + c.field() + "\u0000"
        + String.join("\u0000", c.terms()) + "\u0000" + Arrays.toString(c.offsets());
    Clause old = merged.get(key);
    if (old == null || (old.occur() == Occur.SHOULD && c.occur() == Occur.MUST)) {
      merged.put(key, c);
    }
  }
}
