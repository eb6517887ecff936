//! Message text as styled runs: the Markdown and HTML subsets of the chat API
//! (docs/chat-protocol.md, Message content) turned into bold, italic, strike, underline and
//! links, then wrapped by display width with the styles kept. Anything outside the documented
//! subset is shown literally (Choices C34).
//!
//! The input is untrusted: every run is made inert with [`crate::sanitize::line`] after the
//! markup is read, so an entity such as `&#27;` cannot smuggle an escape character in.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// The emphasis a run carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    pub bold: bool,
    pub italic: bool,
    pub strike: bool,
    pub underline: bool,
    /// A link's label.
    pub link: bool,
    /// A link's target, shown after a label that differs from it.
    pub target: bool,
}

/// A piece of text with one set of marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub marks: Marks,
}

/// Lines of runs (split at `\n`, and at `<br>` in HTML).
pub type Rich = Vec<Vec<Run>>;

/// Reads `text` in its parse mode (`"text"`, `"markdown"`, `"html"`; anything else is text).
pub fn parse(text: &str, mode: &str) -> Rich {
    let mut out: Rich = match mode {
        "markdown" => text
            .split('\n')
            .map(|l| {
                let mut runs = Vec::new();
                markdown(l, Marks::default(), &mut runs);
                runs
            })
            .collect(),
        "html" => html(text),
        _ => text
            .split('\n')
            .map(|l| {
                vec![Run {
                    text: l.to_string(),
                    marks: Marks::default(),
                }]
            })
            .collect(),
    };
    for line in &mut out {
        for r in line.iter_mut() {
            if let std::borrow::Cow::Owned(s) = crate::sanitize::line(&r.text) {
                r.text = s;
            }
        }
        line.retain(|r| !r.text.is_empty());
    }
    out
}

fn push(runs: &mut Vec<Run>, text: &str, marks: Marks) {
    if text.is_empty() {
        return;
    }
    match runs.last_mut() {
        Some(last) if last.marks == marks => last.text.push_str(text),
        _ => runs.push(Run {
            text: text.to_string(),
            marks,
        }),
    }
}

/// Sets one mark on a run's marks.
type SetMark = fn(&mut Marks);

/// The Markdown subset on one line: `**b**` `__b__` `*i*` `_i_` `~~s~~` `[label](url)`, and
/// `\` escaping the next character. An opener without its closer is literal text.
fn markdown(s: &str, marks: Marks, runs: &mut Vec<Run>) {
    let b = s.as_bytes();
    let mut lit = 0; // start of pending literal text
    let mut i = 0;
    // Where a delimiter was last found to have no closer: none further on either (the
    // candidates only shrink), so a line full of unmatched `_` stays linear.
    let mut no_closer: [usize; 5] = [usize::MAX; 5];
    const DELIMS: [&str; 5] = ["**", "__", "~~", "*", "_"];
    let mut no_link = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && i + 1 < b.len() && b"\\*_~[]()`".contains(&b[i + 1]) {
            push(runs, &s[lit..i], marks);
            push(runs, &s[i + 1..i + 2], marks);
            i += 2;
            lit = i;
            continue;
        }
        let delim: Option<(&str, SetMark)> = if s[i..].starts_with("**") {
            Some(("**", |m| m.bold = true))
        } else if s[i..].starts_with("__") {
            Some(("__", |m| m.bold = true))
        } else if s[i..].starts_with("~~") {
            Some(("~~", |m| m.strike = true))
        } else if c == b'*' {
            Some(("*", |m| m.italic = true))
        } else if c == b'_' {
            Some(("_", |m| m.italic = true))
        } else {
            None
        };
        if let Some((d, set)) = delim {
            // `_` inside a word (snake_case) is not emphasis.
            let word_before = s[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            let after = i + d.len();
            let opens = after < b.len()
                && !b[after].is_ascii_whitespace()
                && !(d.starts_with('_') && word_before);
            let slot = DELIMS.iter().position(|x| *x == d).unwrap_or(0);
            let end = if opens && after < no_closer[slot] {
                let end = closer(s, after, d);
                if end.is_none() {
                    no_closer[slot] = after;
                }
                end
            } else {
                None
            };
            if let Some(end) = end {
                push(runs, &s[lit..i], marks);
                let mut inner = marks;
                set(&mut inner);
                markdown(&s[after..end], inner, runs);
                i = end + d.len();
                lit = i;
                continue;
            }
            i += d.len();
            continue;
        }
        let close = if c == b'[' && !no_link {
            let f = s[i + 1..].find("](").map(|k| i + 1 + k);
            no_link = f.is_none();
            f
        } else {
            None
        };
        let end = close.and_then(|close| {
            let f = s[close + 2..].find(')').map(|k| close + 2 + k);
            // No `)` from here on means none for any later link either.
            no_link |= f.is_none();
            f
        });
        if let (Some(close), Some(end)) = (close, end) {
            let label = &s[i + 1..close];
            let url = &s[close + 2..end];
            if !label.is_empty() && !url.is_empty() && !url.contains(char::is_whitespace) {
                push(runs, &s[lit..i], marks);
                link(runs, label, url, marks, true);
                i = end + 1;
                lit = i;
                continue;
            }
        }
        i += 1;
        // Stay on character boundaries.
        while i < b.len() && !s.is_char_boundary(i) {
            i += 1;
        }
    }
    push(runs, &s[lit..], marks);
}

/// Where the closing `d` for an opener ending at `from` is: not preceded by whitespace, and
/// for `_` not followed by a word character.
fn closer(s: &str, from: usize, d: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut k = from + s[from..].chars().next().map_or(1, char::len_utf8);
    while let Some(off) = s.get(k..)?.find(d) {
        let at = k + off;
        let before_ok = !b[at - 1].is_ascii_whitespace();
        let next = b.get(at + d.len()).copied();
        // `**` is not the close of a single `*`.
        let doubled = d.len() == 1 && next == Some(d.as_bytes()[0]);
        let word_after = d.starts_with('_')
            && s[at + d.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
        if before_ok && !doubled && !word_after {
            return Some(at);
        }
        k = at + d.len().max(if doubled { 2 } else { 1 });
    }
    None
}

/// A link: the label marked as a link; a mention (`trueconf:user`) shows as the label alone,
/// and a web link whose label differs from its address shows the address after it.
fn link(runs: &mut Vec<Run>, label: &str, url: &str, marks: Marks, markdown_label: bool) {
    let mut m = marks;
    m.link = true;
    if markdown_label {
        let mut inner = Vec::new();
        self::markdown(label, m, &mut inner);
        for r in inner {
            push(runs, &r.text, r.marks);
        }
    } else {
        push(runs, label, m);
    }
    let mention = url.starts_with("trueconf:");
    if !mention && label != url {
        let mut t = marks;
        t.target = true;
        push(runs, &format!(" ‹{url}›"), t);
    }
}

/// The HTML subset: `<b> <strong> <i> <em> <s> <strike> <del> <u> <ins> <a href>`, `<br>`,
/// and entities. Any other tag is shown as written.
fn html(s: &str) -> Rich {
    let mut lines: Rich = vec![Vec::new()];
    // Open tags, innermost last; a link keeps its href.
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    let marks_of = |stack: &[(String, Option<String>)]| {
        let mut m = Marks::default();
        for (t, _) in stack {
            match t.as_str() {
                "b" | "strong" => m.bold = true,
                "i" | "em" | "quote" => m.italic = true,
                "s" | "strike" | "del" => m.strike = true,
                "u" | "ins" => m.underline = true,
                "a" => m.link = true,
                _ => {}
            }
        }
        m
    };
    let mut link_label = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (text, tag) = match rest.find('<') {
            Some(0) => ("", Some(0)),
            Some(k) => (&rest[..k], Some(k)),
            None => (rest, None),
        };
        for (n, piece) in text.split('\n').enumerate() {
            if n > 0 {
                lines.push(Vec::new());
            }
            let decoded = entities(piece);
            if stack.iter().any(|(t, _)| t == "a") {
                link_label.push_str(&decoded);
            }
            if let Some(l) = lines.last_mut() {
                push(l, &decoded, marks_of(&stack));
            }
        }
        let Some(k) = tag else { break };
        rest = &rest[k..];
        let Some(end) = rest.find('>') else {
            // A `<` that opens nothing.
            if let Some(l) = lines.last_mut() {
                push(l, &entities(rest), marks_of(&stack));
            }
            break;
        };
        let raw = &rest[..=end];
        let inner = raw[1..raw.len() - 1].trim();
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let known = matches!(
            name.as_str(),
            "b" | "strong"
                | "i"
                | "em"
                | "s"
                | "strike"
                | "del"
                | "u"
                | "ins"
                | "a"
                | "br"
                | "quote"
        );
        if !known {
            if let Some(l) = lines.last_mut() {
                push(l, raw, marks_of(&stack));
            }
        } else if name == "br" {
            lines.push(Vec::new());
        } else if closing {
            if let Some(pos) = stack.iter().rposition(|(t, _)| *t == name) {
                let (_, href) = stack.remove(pos);
                if name == "a" {
                    let label = std::mem::take(&mut link_label);
                    if let (Some(url), Some(l)) = (href, lines.last_mut())
                        && !url.starts_with("trueconf:")
                        && label != url
                    {
                        let mut t = marks_of(&stack);
                        t.target = true;
                        push(l, &format!(" ‹{url}›"), t);
                    }
                }
            }
        } else {
            let href = (name == "a").then(|| attr(inner, "href")).flatten();
            stack.push((name, href));
        }
        rest = &rest[end + 1..];
    }
    lines
}

/// An attribute's value (`href="…"`, `href='…'` or bare), entities decoded.
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!("{name}="))? + name.len() + 1;
    let v = &tag[at..];
    let value = match v.chars().next()? {
        q @ ('"' | '\'') => v[1..].split(q).next()?,
        _ => v.split(|c: char| c.is_whitespace() || c == '/').next()?,
    };
    Some(entities(value))
}

/// `&amp; &lt; &gt; &quot; &apos; &#39; &nbsp; &#NNN; &#xHH;`; anything else is left as is.
fn entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(k) = rest.find('&') {
        out.push_str(&rest[..k]);
        rest = &rest[k..];
        let Some(semi) = rest
            .char_indices()
            .take(13)
            .find(|&(_, c)| c == ';')
            .map(|(k, _)| k)
        else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The style of a run over the message's base style.
pub fn style(marks: Marks, base: Style, link: Style, dim: Style) -> Style {
    let mut s = base;
    if marks.bold {
        s = s.add_modifier(Modifier::BOLD);
    }
    if marks.italic {
        s = s.add_modifier(Modifier::ITALIC);
    }
    if marks.strike {
        s = s.add_modifier(Modifier::CROSSED_OUT);
    }
    if marks.underline {
        s = s.add_modifier(Modifier::UNDERLINED);
    }
    if marks.link {
        s = s.patch(link);
    }
    if marks.target {
        s = s.patch(dim);
    }
    s
}

/// Lays rich text out in rows of at most `w` columns, breaking after the last space that fits
/// (a word longer than the row is cut; wide characters stay whole; zero-width and combining
/// characters stay with the character before them). `style_of` maps marks to a style.
pub fn wrap(rich: &Rich, w: usize, style_of: impl Fn(Marks) -> Style) -> Vec<Line<'static>> {
    let w = w.max(1);
    let mut out = Vec::new();
    for line in rich {
        let chars: Vec<(char, Marks)> = line
            .iter()
            .flat_map(|r| r.text.chars().map(move |c| (c, r.marks)))
            .collect();
        for range in rows(&chars, w) {
            out.push(spans(&chars[range], &style_of));
        }
    }
    out
}

/// Row ranges of `chars` for width `w`.
fn rows(chars: &[(char, Marks)], w: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut col) = (0usize, 0usize);
    let mut last_space: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let cw = chars[i].0.width().unwrap_or(0);
        if col + cw > w && col > 0 {
            let cut = match last_space {
                Some(s) if s + 1 > start && s + 1 < i + 1 => s + 1,
                _ => i,
            };
            let cut = if cut <= start { i } else { cut };
            out.push(start..cut);
            start = cut;
            col = chars[start..i]
                .iter()
                .map(|(c, _)| c.width().unwrap_or(0))
                .sum();
            last_space = None;
            continue;
        }
        if chars[i].0 == ' ' {
            last_space = Some(i);
        }
        col += cw;
        i += 1;
    }
    out.push(start..chars.len());
    out
}

fn spans(chars: &[(char, Marks)], style_of: &impl Fn(Marks) -> Style) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut cur = String::new();
    let mut cur_marks: Option<Marks> = None;
    for &(c, m) in chars {
        if cur_marks != Some(m) {
            if let Some(pm) = cur_marks
                && !cur.is_empty()
            {
                spans.push(Span::styled(std::mem::take(&mut cur), style_of(pm)));
            }
            cur_marks = Some(m);
        }
        cur.push(c);
    }
    if let Some(pm) = cur_marks
        && !cur.is_empty()
    {
        spans.push(Span::styled(cur, style_of(pm)));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(r: &Rich) -> Vec<String> {
        r.iter()
            .map(|l| {
                l.iter()
                    .map(|r| {
                        let m = r.marks;
                        let mut tag = String::new();
                        for (on, t) in [
                            (m.bold, "b"),
                            (m.italic, "i"),
                            (m.strike, "s"),
                            (m.underline, "u"),
                            (m.link, "a"),
                            (m.target, "t"),
                        ] {
                            if on {
                                tag.push_str(t);
                            }
                        }
                        if tag.is_empty() {
                            r.text.clone()
                        } else {
                            format!("[{tag}:{}]", r.text)
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn markdown_subset() {
        let r = parse(
            "**bold** and *it* and __b2__ _i2_ ~~gone~~ [site](https://x.org)",
            "markdown",
        );
        assert_eq!(
            show(&r),
            ["[b:bold] and [i:it] and [b:b2] [i:i2] [s:gone] [a:site][t: ‹https://x.org›]"]
        );
        // Nesting, mentions, and what is not markup.
        assert_eq!(
            show(&parse("**bold _both_**", "markdown")),
            ["[b:bold ][bi:both]"]
        );
        assert_eq!(
            show(&parse("[Alice](trueconf:alice@srv)", "markdown")),
            ["[a:Alice]"]
        );
        assert_eq!(
            show(&parse("snake_case_name and 2 * 3 * 4", "markdown")),
            ["snake_case_name and 2 * 3 * 4"]
        );
        assert_eq!(show(&parse("**open only", "markdown")), ["**open only"]);
        assert_eq!(show(&parse(r"\*literal\*", "markdown")), ["*literal*"]);
        assert_eq!(
            show(&parse("# heading\n- item", "markdown")),
            ["# heading", "- item"],
            "outside the subset: literal"
        );
    }

    #[test]
    fn html_subset_and_entities() {
        let r = parse(
            "<b>bold</b> <i>it</i> <s>x</s> <u>u</u> <a href=\"https://x.org\">site</a><br>next &lt;3 &amp; &#65;",
            "html",
        );
        assert_eq!(
            show(&r),
            [
                "[b:bold] [i:it] [s:x] [u:u] [a:site][t: ‹https://x.org›]",
                "next <3 & A"
            ]
        );
        assert_eq!(
            show(&parse("<b>a <i>b</i></b> <marquee>c</marquee>", "html")),
            ["[b:a ][bi:b] <marquee>c</marquee>"],
            "unknown tags are literal"
        );
        assert_eq!(
            show(&parse(
                "<a href='trueconf:alice@srv/x'>Alice</a> <a href=\"https://a.b\">https://a.b</a>",
                "html"
            )),
            ["[a:Alice] [a:https://a.b]"]
        );
        assert_eq!(show(&parse("1 < 2", "html")), ["1 < 2"]);
    }

    #[test]
    fn text_mode_is_verbatim_and_everything_is_inert() {
        assert_eq!(show(&parse("**x** <b>y</b>", "text")), ["**x** <b>y</b>"]);
        // An entity or raw escape cannot put a control character on screen.
        let r = parse("a&#27;[31mred\u{1b}]0;t\u{7} <b>&#x202E;z</b>", "html");
        for l in &r {
            for run in l {
                assert!(
                    !run.text.chars().any(|c| c.is_control() || c == '\u{202E}'),
                    "{run:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Any text in any mode parses, keeps its visible characters' order, and wraps within
        /// the width (multi-byte characters next to markup included).
        #[test]
        fn never_panics_and_rows_fit(
            s in "[a-zé日*_~\\[\\]()<>/&#;: \n]{0,60}",
            mode in proptest::sample::select(vec!["text", "markdown", "html"]),
            w in 1usize..30,
        ) {
            let r = parse(&s, mode);
            for l in wrap(&r, w, |_| Style::new()) {
                proptest::prop_assert!(l.width() <= w.max(2), "{:?}", l);
            }
        }
    }

    #[test]
    fn wrapping_keeps_styles_and_widths() {
        let r = parse("**bold words** then plain text here", "markdown");
        let lines = wrap(&r, 12, |m| {
            style(m, Style::new(), Style::new(), Style::new())
        });
        let texts: Vec<String> = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(texts, ["bold words ", "then plain ", "text here"]);
        assert!(
            lines[0].spans[0]
                .style
                .add_modifier
                .contains(Modifier::BOLD),
            "{:?}",
            lines[0]
        );
        let r = parse("日本語テキストです", "text");
        let lines = wrap(&r, 5, |_| Style::new());
        for l in &lines {
            assert!(l.width() <= 5, "{l:?}");
        }
        // Combining marks stay with their letter and take no column.
        let r = parse("e\u{301}e\u{301}e\u{301}", "text");
        assert_eq!(wrap(&r, 2, |_| Style::new()).len(), 2);
    }
}
