package io.treestore.fts.internal;

import io.treestore.fts.Token;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Picks the best window of a unit's text and marks the matched tokens in it.
 *
 * <p>The window is at most {@code chars} long. Among the windows that start at a matched
 * token, the best holds the most distinct query terms, then the most matches, then comes
 * first. The window is then widened evenly into the surrounding text (cut at token
 * boundaries, never inside a word, stop words included, nor inside a surrogate pair), control
 * characters and line breaks become spaces, runs of spaces collapse, and an ellipsis marks
 * text cut off at either end. A unit without a match shows its beginning.
 */
public final class Snippets {
  private static final String ELLIPSIS = "\u2026";

  private Snippets() {}

  /**
   * Makes a snippet.
   *
   * @param text the unit's text
   * @param tokens its tokens, or only those whose term is in {@code terms} (the others only
   *     keep the window's edges off the middle of a word, and the edges are moved off
   *     letters and digits anyway, so for the standard analyzer the snippet is the same)
   * @param terms the query's positive terms
   * @param chars the window length in chars, {@code >= 16}
   * @param markStart put before a matched token
   * @param markEnd put after a matched token
   * @return the snippet
   */
  public static String make(String text, List<Token> tokens, Set<String> terms, int chars,
      String markStart, String markEnd) {
    List<Token> hits = new ArrayList<>();
    for (Token t : tokens) {
      if (terms.contains(t.term())) {
        hits.add(t);
      }
    }
    int from;
    int to;
    int keepFrom; // the edges may move inwards but not past [keepFrom, keepTo)
    int keepTo;
    if (hits.isEmpty()) {
      from = 0;
      to = Math.min(text.length(), chars);
      keepFrom = 0;
      keepTo = 1;
    } else {
      int best = 0;
      int bestDistinct = -1;
      int bestCount = -1;
      int bestEnd = 0;
      for (int i = 0; i < hits.size(); i++) {
        Set<String> distinct = new HashSet<>();
        int j = i;
        while (j < hits.size() && hits.get(j).end() - hits.get(i).start() <= chars) {
          distinct.add(hits.get(j).term());
          j++;
        }
        if (j == i) {
          j = i + 1;
          distinct.add(hits.get(i).term());
        }
        if (distinct.size() > bestDistinct
            || (distinct.size() == bestDistinct && j - i > bestCount)) {
          best = i;
          bestDistinct = distinct.size();
          bestCount = j - i;
          bestEnd = hits.get(j - 1).end();
        }
      }
      int start = hits.get(best).start();
      int slack = Math.max(0, chars - (bestEnd - start));
      from = Math.max(0, start - slack / 2);
      to = Math.min(text.length(), Math.max(bestEnd, from + chars));
      if (to - from > chars && bestEnd - start <= chars) {
        from = Math.max(0, to - chars);
      }
      // do not cut words: move the edges to token boundaries
      for (Token t : tokens) {
        if (t.start() < from && t.end() > from) {
          from = t.end() <= start ? t.end() : t.start();
        }
        if (t.start() < to && t.end() > to) {
          to = t.start() >= bestEnd ? t.start() : t.end();
        }
      }
      keepFrom = start;
      keepTo = bestEnd;
    }
    // nor words that are no tokens (stop words, over-long runs), nor surrogate pairs
    int f = from;
    while (insideWord(text, f)) {
      f++;
    }
    if (f <= keepFrom) {
      from = f;
    }
    int e = to;
    while (insideWord(text, e)) {
      e--;
    }
    if (e >= keepTo) {
      to = e;
    }
    StringBuilder sb = new StringBuilder(to - from + 16);
    if (from > 0) {
      sb.append(ELLIPSIS);
    }
    int ti = 0;
    int i = from;
    while (i < to) {
      while (ti < hits.size() && hits.get(ti).start() < i) {
        ti++;
      }
      if (ti < hits.size() && hits.get(ti).start() == i && hits.get(ti).end() <= to) {
        Token h = hits.get(ti);
        sb.append(markStart).append(text, h.start(), h.end()).append(markEnd);
        i = h.end();
        continue;
      }
      char c = text.charAt(i);
      if (Character.isISOControl(c) || Character.isWhitespace(c)) {
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ' ') {
          sb.append(' ');
        }
      } else {
        sb.append(c);
      }
      i++;
    }
    String s = sb.toString().strip();
    if (to < text.length()) {
      s = s + ELLIPSIS;
    }
    return s;
  }

  /** Tells whether offset i is between two letters or digits, or inside a surrogate pair. */
  private static boolean insideWord(String text, int i) {
    if (i <= 0 || i >= text.length()) {
      return false;
    }
    if (Character.isHighSurrogate(text.charAt(i - 1))
        && Character.isLowSurrogate(text.charAt(i))) {
      return true;
    }
    return Character.isLetterOrDigit(text.codePointBefore(i))
        && Character.isLetterOrDigit(text.codePointAt(i));
  }
}
