use super::wrap_draft;
use crate::app::Editor;

fn wrap(text: &str, cursor_at_end: bool, w: usize) -> (Vec<String>, (usize, usize)) {
    let mut e = Editor::new(text);
    if !cursor_at_end {
        e.set_cursor(0);
    }
    wrap_draft(&e, w)
}

#[test]
fn words_move_whole_to_the_next_row() {
    let (rows, cursor) = wrap("hello world again", true, 12);
    assert_eq!(rows, vec!["hello world ", "again"]);
    assert_eq!(cursor, (1, 5));
}

#[test]
fn a_word_longer_than_the_row_is_cut_between_characters() {
    let (rows, _) = wrap("abcdefghij", true, 4);
    assert_eq!(rows, vec!["abcd", "efgh", "ij"]);
}

#[test]
fn a_cursor_at_the_edge_sits_at_the_start_of_a_new_row() {
    let (rows, cursor) = wrap("abcd", true, 4);
    assert_eq!(rows, vec!["abcd", ""]);
    assert_eq!(cursor, (1, 0));
}

#[test]
fn line_breaks_start_rows_and_the_cursor_follows_them() {
    let (rows, cursor) = wrap("one\ntwo\r\nthree", true, 20);
    assert_eq!(rows, vec!["one", "two", "three"]);
    assert_eq!(cursor, (2, 5));
    let (_, start) = wrap("one\ntwo\nthree", false, 20);
    assert_eq!(start, (0, 0));
}

#[test]
fn wide_characters_count_two_columns() {
    let (rows, cursor) = wrap("日本語の文", true, 6);
    assert_eq!(rows, vec!["日本語", "の文"]);
    assert_eq!(cursor, (1, 4));
}

#[test]
fn an_empty_draft_is_one_empty_row() {
    let (rows, cursor) = wrap("", true, 10);
    assert_eq!(rows, vec![String::new()]);
    assert_eq!(cursor, (0, 0));
}
