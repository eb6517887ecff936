use super::*;

fn numbered(n: usize) -> Viewer {
    Viewer::new(
        (1..=n)
            .map(|i| ViewLine::plain(format!("line {i}")))
            .collect(),
    )
}

fn press(v: &mut Viewer, code: KeyCode) -> ViewKey {
    v.key(&KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(v: &mut Viewer, c: char) -> ViewKey {
    v.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn shown(v: &Viewer) -> Vec<&str> {
    v.visible().iter().map(|r| v.text(r)).collect()
}

fn typed(v: &mut Viewer, s: &str) {
    for c in s.chars() {
        press(v, KeyCode::Char(c));
    }
}

#[test]
fn scrolling_is_clamped_to_the_content() {
    let mut v = numbered(84);
    v.set_size(40, 19);
    assert_eq!(v.position(), "1–19 of 84");
    assert_eq!(shown(&v)[0], "line 1");
    // Up at the top stays at the top, and still counts as the viewer's key.
    assert_eq!(press(&mut v, KeyCode::Up), ViewKey::Handled);
    assert_eq!(v.top(), 0);
    press(&mut v, KeyCode::Down);
    assert_eq!(v.position(), "2–20 of 84");
    // A page keeps one row of the previous page on screen.
    press(&mut v, KeyCode::PageDown);
    assert_eq!(v.top(), 1 + 18);
    press(&mut v, KeyCode::PageUp);
    assert_eq!(v.top(), 1);
    ctrl(&mut v, 'd');
    assert_eq!(v.top(), 1 + 9, "half a page");
    ctrl(&mut v, 'u');
    assert_eq!(v.top(), 1);
    // End shows the last page full, not the last line alone; nothing goes past it.
    press(&mut v, KeyCode::End);
    assert_eq!(v.position(), "66–84 of 84");
    assert!(v.at_end());
    press(&mut v, KeyCode::PageDown);
    press(&mut v, KeyCode::Down);
    v.scroll_by(1000);
    assert_eq!(v.top(), 65);
    assert_eq!(*shown(&v).last().unwrap(), "line 84");
    v.scroll_by(-1000);
    assert_eq!(v.top(), 0);
    press(&mut v, KeyCode::Char('G'));
    assert_eq!(v.top(), 65);
    press(&mut v, KeyCode::Home);
    assert_eq!(v.top(), 0);
    // Growing the view pulls the top back so the view stays full.
    press(&mut v, KeyCode::End);
    v.set_size(40, 30);
    assert_eq!(v.position(), "55–84 of 84");
    // Content shorter than the view: nowhere to scroll.
    let mut short = numbered(3);
    short.set_size(40, 10);
    press(&mut short, KeyCode::PageDown);
    assert_eq!((short.top(), short.position().as_str()), (0, "1–3 of 3"));
    // Keys that are not the viewer's are left to the owner.
    assert_eq!(press(&mut v, KeyCode::Esc), ViewKey::NotMine);
    assert_eq!(press(&mut v, KeyCode::Enter), ViewKey::NotMine);
    assert_eq!(ctrl(&mut v, 't'), ViewKey::NotMine);
    assert_eq!(Viewer::default().position(), "empty");
}

#[test]
fn long_lines_wrap_at_spaces_and_keep_the_top_line_on_a_new_width() {
    let mut v = Viewer::new(vec![
        ViewLine::plain("short"),
        ViewLine::plain("the quick brown fox jumps over the lazy dog"),
        ViewLine::plain(""),
        ViewLine::plain("x".repeat(25)),
    ]);
    v.set_size(10, 3);
    let all: Vec<&str> = v.rows().iter().map(|r| v.text(r)).collect();
    assert_eq!(
        all,
        [
            "short",
            "the quick ",
            "brown fox ",
            "jumps ",
            "over the ",
            "lazy dog",
            "",
            "xxxxxxxxxx",
            "xxxxxxxxxx",
            "xxxxx"
        ]
    );
    // Wide characters count two columns.
    let mut wide = Viewer::new(vec![ViewLine::plain("日本語のテキスト")]);
    wide.set_size(5, 5);
    assert!(
        wide.rows()
            .iter()
            .all(|r| crate::ui::text::width(wide.text(r)) <= 5)
    );
    // The line at the top stays at the top when the width changes.
    v.set_size(10, 1);
    v.scroll_by(6);
    assert_eq!(shown(&v)[0], "");
    v.set_size(80, 1);
    assert_eq!(shown(&v)[0], "");
    assert_eq!(v.rows().len(), 4);
}

#[test]
fn search_finds_every_match_and_moves_between_them() {
    let mut lines: Vec<ViewLine> = (1..=50)
        .map(|i| ViewLine::plain(format!("row {i}")))
        .collect();
    lines[9] = ViewLine::plain("the Volume is 40, volume up");
    lines[29] = ViewLine::plain("VOLUME");
    lines[44] = ViewLine::plain("no match here");
    let mut v = Viewer::new(lines);
    v.set_size(40, 5);
    assert_eq!(press(&mut v, KeyCode::Char('/')), ViewKey::Handled);
    assert!(v.search().typing.is_some());
    // While typing, n and j are letters of the query, not moves.
    typed(&mut v, "volume");
    assert_eq!(v.top(), 0);
    press(&mut v, KeyCode::Enter);
    assert!(v.search().typing.is_none());
    // Lower case finds any case: three matches, the first one shown.
    assert_eq!(v.search().matches.len(), 3);
    assert_eq!(v.search_status().as_deref(), Some("match 1 of 3"));
    let first = v
        .visible()
        .iter()
        .position(|r| v.text(r).contains("Volume"));
    assert!(first.is_some(), "{:?}", shown(&v));
    let row = v.visible()[first.unwrap()];
    assert_eq!(v.highlights(&row), vec![(4, 10, true), (18, 24, false)]);
    // n: the second match is on the same line, so the view does not move.
    let top = v.top();
    press(&mut v, KeyCode::Char('n'));
    assert_eq!(v.search_status().as_deref(), Some("match 2 of 3"));
    assert_eq!(v.top(), top);
    assert_eq!(v.highlights(&row), vec![(4, 10, false), (18, 24, true)]);
    // The third is far below: the view moves to it.
    press(&mut v, KeyCode::Char('n'));
    assert!(shown(&v).contains(&"VOLUME"), "{:?}", shown(&v));
    // Round the end, and back.
    press(&mut v, KeyCode::Char('n'));
    assert_eq!(v.search_status().as_deref(), Some("match 1 of 3"));
    press(&mut v, KeyCode::Char('N'));
    assert_eq!(v.search_status().as_deref(), Some("match 3 of 3"));
    assert!(shown(&v).contains(&"VOLUME"));
    // A capital in the query makes case count.
    v.find("VOLUME");
    assert_eq!(v.search().matches.len(), 1);
    // Nothing found: said so, and n does nothing.
    v.find("absent");
    assert_eq!(v.search_status().as_deref(), Some("no match for “absent”"));
    let top = v.top();
    press(&mut v, KeyCode::Char('n'));
    assert_eq!(v.top(), top);
    // Esc while typing drops the new query and keeps the old one.
    press(&mut v, KeyCode::Char('/'));
    press(&mut v, KeyCode::Esc);
    assert!(v.search().typing.is_none());
    assert_eq!(v.search().query, "absent");
    // `/` starts a new query (typing does not append to the old one); `/` and Enter on
    // nothing ends the search.
    press(&mut v, KeyCode::Char('/'));
    for c in "VOL".chars() {
        press(&mut v, KeyCode::Char(c));
    }
    press(&mut v, KeyCode::Enter);
    assert_eq!(v.search().query, "VOL");
    press(&mut v, KeyCode::Char('/'));
    press(&mut v, KeyCode::Enter);
    assert_eq!(v.search_status(), None);
    // A pasted query is shown inert.
    v.find("\u{1b}[2J");
    assert!(!v.search_status().unwrap().contains('\u{1b}'));
    // An empty query ends the search.
    v.find("");
    assert_eq!(v.search_status(), None);
}

#[test]
fn a_search_starts_from_the_top_of_the_view_and_follows_new_text() {
    let mut v = Viewer::new(
        (0..40)
            .map(|i| ViewLine::plain(format!("item {}", i % 10)))
            .collect(),
    );
    v.set_size(20, 4);
    v.scroll_by(12);
    v.find("item 3");
    // Lines 3, 13, 23, 33 match; the view was at line 12, so 13 comes first.
    assert_eq!(v.search_status().as_deref(), Some("match 2 of 4"));
    assert_eq!(shown(&v)[0], "item 2");
    // New text keeps the search and the place in it.
    let mut more: Vec<ViewLine> = v.lines().to_vec();
    more.push(ViewLine::plain("item 3 again"));
    v.set_lines(more);
    assert_eq!(v.search_status().as_deref(), Some("match 2 of 5"));
    assert_eq!(v.top(), 12);
    // A match cut by the wrap is highlighted on both rows.
    let mut w = Viewer::new(vec![ViewLine::plain("abcdefghij")]);
    w.set_size(6, 3);
    w.find("efgh");
    let rows: Vec<Row> = w.rows().to_vec();
    assert_eq!(w.highlights(&rows[0]), vec![(4, 6, true)]);
    assert_eq!(w.highlights(&rows[1]), vec![(0, 2, true)]);
}

#[test]
fn a_keyed_lines_later_rows_are_narrower_by_its_key_column() {
    let mut v = Viewer::new(vec![ViewLine::keyed(
        "Enter",
        "on a picture: show it over the whole screen (Esc closes) and more words to wrap",
    )]);
    v.set_size(50, 10);
    let rows = shown(&v);
    assert!(rows.len() >= 2, "{rows:?}");
    let h = hang(&v.lines()[0], 50);
    assert_eq!(h, 22, "two spaces and the key's 20 columns");
    assert!(rows[0].starts_with("  Enter"));
    for r in &rows[1..] {
        assert!(r.chars().count() <= 50 - h, "{r:?}");
    }
    // Too narrow for a hanging indent: the rows use the whole width.
    v.set_size(30, 10);
    assert_eq!(hang(&v.lines()[0], 30), 0);
    assert!(shown(&v)[1].chars().count() > 8);
}
