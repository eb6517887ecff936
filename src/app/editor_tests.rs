use super::*;

fn k(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

fn ctrl(c: char) -> KeyEvent {
    k(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn alt(c: char) -> KeyEvent {
    k(KeyCode::Char(c), KeyModifiers::ALT)
}

#[test]
fn editing_by_characters_and_lines() {
    let mut d = Editor::default();
    d.insert("héllo");
    d.left();
    d.left();
    d.insert("X");
    assert_eq!(d.text(), "hélXlo");
    d.backspace();
    d.home();
    d.insert("> ");
    d.end();
    d.insert("\r\nnext\u{1b}[31m");
    assert_eq!(
        d.text(),
        "> héllo\nnext[31m",
        "CRLF is a newline; ESC is dropped"
    );
    // Unicode's own line breaks are newlines; bidi controls and annotation marks go.
    let mut e = Editor::new("A\u{2028}B\u{2029}C\u{202E}D\u{FFF9}E");
    assert_eq!(e.text(), "A\nB\nCDE");
    e.insert("\u{200F}");
    assert_eq!(e.text(), "A\nB\nCDE");
    d.home();
    d.delete();
    assert_eq!(d.text(), "> héllo\next[31m");
    assert_eq!(d.take(), "> héllo\next[31m");
    assert!(d.is_blank());
    assert_eq!(d.cursor(), 0);
}

#[test]
fn moving_between_lines_and_deleting_words() {
    let mut d = Editor::new("first line\nab\nthird line");
    assert_eq!(d.up(), Edit::Changed);
    assert_eq!(
        d.cursor(),
        "first line\nab".len(),
        "the end of a short line"
    );
    d.up();
    assert_eq!(d.cursor(), 2, "back to column 2 of the first line");
    assert_eq!(d.up(), Edit::Unchanged);
    d.down();
    d.down();
    assert_eq!(d.cursor(), "first line\nab\nth".len());
    assert_eq!(d.down(), Edit::Unchanged);
    d.end();
    d.delete_word();
    assert_eq!(d.text(), "first line\nab\nthird ");
    d.delete_word();
    assert_eq!(d.text(), "first line\nab\n");
    d.delete_word();
    assert_eq!(
        d.text(),
        "first line\nab",
        "a lone newline is a word of its own"
    );
    d.delete_to_line_start();
    assert_eq!(d.text(), "first line\n");
    let mut d = Editor::new("héllo wörld");
    d.delete_word();
    assert_eq!(d.text(), "héllo ");
}

#[test]
fn moves_and_deletes_whole_grapheme_clusters() {
    // A thumbs-up with a skin tone, a family (ZWJ sequence), e + combining acute.
    let family = "👨\u{200d}👩\u{200d}👧";
    let text = format!("a👍🏽{family}e\u{301}");
    let mut d = Editor::new(&text);
    assert_eq!(d.backspace(), Edit::Changed);
    assert_eq!(
        d.text(),
        format!("a👍🏽{family}"),
        "the accent goes with its letter"
    );
    d.left();
    assert_eq!(d.cursor(), "a👍🏽".len(), "one step over the whole family");
    d.left();
    assert_eq!(d.cursor(), 1);
    d.delete();
    assert_eq!(d.text(), format!("a{family}"));
    // A cursor put inside a cluster falls back to its start.
    d.set_cursor(3);
    assert_eq!(d.cursor(), 1);
    d.set_cursor(usize::MAX);
    assert_eq!(d.cursor(), d.text().len());
    // Up and down keep the column in graphemes.
    let mut d = Editor::new("👍🏽👍🏽x\nabcd");
    d.left();
    d.left();
    d.up();
    assert_eq!(d.cursor(), "👍🏽👍🏽".len());
}

#[test]
fn shell_keys_work_through_key() {
    let mut d = Editor::new("call alice bob");
    assert_eq!(d.key(&ctrl('w'), Lines::One), Edit::Changed);
    assert_eq!(d.text(), "call alice ");
    assert_eq!(
        d.key(&k(KeyCode::Backspace, KeyModifiers::ALT), Lines::One),
        Edit::Changed
    );
    assert_eq!(d.text(), "call ");
    d.key(&ctrl('a'), Lines::One);
    assert_eq!(d.cursor(), 0);
    d.key(&alt('f'), Lines::One);
    assert_eq!(d.cursor(), 4, "Alt-F: to the end of the word");
    d.key(&ctrl('e'), Lines::One);
    assert_eq!(d.cursor(), 5);
    d.key(&alt('b'), Lines::One);
    assert_eq!(d.cursor(), 0, "Alt-B: back to the word's start");
    d.key(&alt('d'), Lines::One);
    assert_eq!(d.text(), " ", "Alt-D deletes the word after the cursor");
    let mut d = Editor::new("one two three");
    d.key(&k(KeyCode::Left, KeyModifiers::CONTROL), Lines::One);
    assert_eq!(d.cursor(), "one two ".len());
    d.key(&ctrl('k'), Lines::One);
    assert_eq!(d.text(), "one two ");
    d.key(&ctrl('u'), Lines::One);
    assert_eq!(d.text(), "");
    assert_eq!(d.key(&ctrl('u'), Lines::One), Edit::Unchanged);
}

#[test]
fn ctrl_w_stops_at_blanks_and_alt_keys_at_punctuation() {
    let mut d = Editor::new("cat /etc/pass-wd");
    assert_eq!(
        d.key(&k(KeyCode::Backspace, KeyModifiers::ALT), Lines::One),
        Edit::Changed
    );
    assert_eq!(d.text(), "cat /etc/pass-", "Alt-Backspace: the word only");
    d.key(&alt('b'), Lines::One);
    assert_eq!(d.cursor(), "cat /etc/".len(), "Alt-B stops after the slash");
    d.key(&alt('b'), Lines::One);
    assert_eq!(d.cursor(), "cat /".len());
    d.key(&alt('f'), Lines::One);
    assert_eq!(
        d.cursor(),
        "cat /etc".len(),
        "Alt-F: to the end of the word"
    );
    d.key(&alt('d'), Lines::One);
    assert_eq!(d.text(), "cat /etc-", "Alt-D deletes the next word");
    d.key(&ctrl('e'), Lines::One);
    d.key(&ctrl('w'), Lines::One);
    assert_eq!(d.text(), "cat ", "Ctrl-W: back to the blank");
    let mut d = Editor::new("alice@video.example.com");
    d.key(&k(KeyCode::Backspace, KeyModifiers::ALT), Lines::One);
    assert_eq!(d.text(), "alice@video.example.");
}

#[test]
fn keys_that_are_not_editing_keys_are_left_to_the_caller() {
    let mut d = Editor::new("x\ny");
    for key in [
        k(KeyCode::Enter, KeyModifiers::NONE),
        k(KeyCode::Esc, KeyModifiers::NONE),
        k(KeyCode::Tab, KeyModifiers::NONE),
        k(KeyCode::Up, KeyModifiers::NONE),
        ctrl('p'),
        ctrl('o'),
    ] {
        assert_eq!(d.key(&key, Lines::One), Edit::NotMine, "{key:?}");
    }
    assert_eq!(
        d.key(&k(KeyCode::Up, KeyModifiers::NONE), Lines::Many),
        Edit::Changed
    );
    assert_eq!(d.text(), "x\ny");
}

#[test]
fn a_single_line_input_takes_pastes_on_one_line() {
    let mut d = Editor::default();
    d.insert_line("/tmp/a\r\nb\tc\u{7}");
    assert_eq!(d.text(), "/tmp/a  bc");
    assert!(!d.text().contains('\n'));
}
