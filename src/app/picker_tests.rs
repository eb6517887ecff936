use super::*;
use crossterm::event::KeyModifiers;

fn cands(names: &[&str]) -> Vec<Candidate> {
    names.iter().map(|n| Candidate::new(*n, &[n])).collect()
}

fn ids(q: &str, c: &[Candidate]) -> Vec<String> {
    rank(q, c).into_iter().map(|i| c[i].id.clone()).collect()
}

fn press(p: &mut Picker, c: &[Candidate], sel: &mut Option<String>, code: KeyCode) -> Pick {
    p.key(&KeyEvent::new(code, KeyModifiers::NONE), c, sel)
}

#[test]
fn matches_rank_word_starts_then_substrings_then_scattered_letters() {
    let c = cands(&["Caroline", "Bob Carter", "Marc", "Alice", "oscar"]);
    assert_eq!(
        ids("", &c),
        ["Caroline", "Bob Carter", "Marc", "Alice", "oscar"]
    );
    // "car": starts Caroline and a word of Bob Carter; inside oscar; "Marc" has no c-a-r.
    assert_eq!(ids("car", &c), ["Caroline", "Bob Carter", "oscar"]);
    assert_eq!(ids("CAR", &c), ids("car", &c), "case does not matter");
    assert_eq!(
        ids("ae", &c),
        ["Alice", "Caroline", "Bob Carter"],
        "letters in order"
    );
    assert!(ids("zz", &c).is_empty());
    // Blanks in the query are ignored; equal matches keep the list's order.
    assert_eq!(ids("b c", &c), ["Bob Carter"]);
    let same = cands(&["ab 2", "ab 1"]);
    assert_eq!(ids("ab", &same), ["ab 2", "ab 1"]);
}

#[test]
fn a_match_never_spans_two_texts_of_a_candidate() {
    let c = vec![Candidate::new("x", &["ab", "cd"])];
    assert!(ids("bc", &c).is_empty());
    assert_eq!(ids("cd", &c), ["x"]);
}

#[test]
fn typing_highlights_the_best_match_and_arrows_move_among_matches() {
    let c = cands(&["alice", "bob", "albert"]);
    let mut p = Picker::default();
    let mut sel = None;
    assert_eq!(
        press(&mut p, &c, &mut sel, KeyCode::Char('a')),
        Pick::Changed
    );
    assert_eq!(sel.as_deref(), Some("alice"));
    press(&mut p, &c, &mut sel, KeyCode::Char('l'));
    press(&mut p, &c, &mut sel, KeyCode::Char('b'));
    assert_eq!(sel.as_deref(), Some("albert"));
    // Ctrl-W clears the word, as in every input: all match again, the first highlighted.
    p.key(
        &KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL),
        &c,
        &mut sel,
    );
    assert!(p.is_empty());
    assert_eq!(sel.as_deref(), Some("alice"));
    assert_eq!(press(&mut p, &c, &mut sel, KeyCode::Down), Pick::Changed);
    assert_eq!(sel.as_deref(), Some("bob"));
    press(&mut p, &c, &mut sel, KeyCode::PageDown);
    assert_eq!(sel.as_deref(), Some("albert"));
    assert_eq!(press(&mut p, &c, &mut sel, KeyCode::Down), Pick::Unchanged);
    press(&mut p, &c, &mut sel, KeyCode::Char('z'));
    assert_eq!(sel, None, "nothing matches: nothing is highlighted");
    assert_eq!(press(&mut p, &c, &mut sel, KeyCode::Enter), Pick::Enter);
    assert_eq!(press(&mut p, &c, &mut sel, KeyCode::Esc), Pick::Esc);
    assert_eq!(press(&mut p, &c, &mut sel, KeyCode::Tab), Pick::NotMine);
    p.paste("bo\nb", &c, &mut sel);
    assert_eq!(p.query.text(), "zbo b");
}

#[test]
fn an_id_behind_a_name_matches_by_a_piece_only() {
    let c = vec![
        Candidate::with_exact(
            "alice@video.example.com",
            &["Alice Johnson"],
            &["alice@video.example.com"],
        ),
        Candidate::with_exact(
            "carol@video.example.com",
            &["Carol White"],
            &["carol@video.example.com"],
        ),
    ];
    // Letters scattered over an id do not match ("v…x" in "video.example").
    assert!(ids("vx", &c).is_empty());
    // A piece of an id at a word start ranks first; the name's letters in order come after.
    assert_eq!(
        ids("al", &c),
        ["alice@video.example.com", "carol@video.example.com"]
    );
    // A piece of an id finds it.
    assert_eq!(ids("carol@", &c), ["carol@video.example.com"]);
    assert_eq!(ids("video", &c).len(), 2);
    // The name still matches by letters in order.
    assert_eq!(ids("cw", &c), ["carol@video.example.com"]);
}

#[test]
fn a_frozen_picker_ranks_typing_on_among_its_last_matches_exactly_as_from_scratch() {
    let names = [
        "Alice Johnson",
        "Bob Smith",
        "Carol White",
        "Dave Brown",
        "Alina Ivanova",
        "Albert Li",
        "Bolat Alimov",
        "Claire Dubois",
        "Dalia Alves",
        "Ali Baba",
    ];
    let cands: Vec<Candidate> = (0..2000)
        .map(|i| {
            let name = format!("{} {i}", names[i % names.len()]);
            Candidate::with_exact(format!("u{i}@srv"), &[&name], &[&format!("u{i}@srv")])
        })
        .collect();
    let mut p = Picker::frozen();
    let mut sel = None;
    // Typing on, a Backspace, and typing again: each step as a full ranking would say.
    let keys = [
        KeyCode::Char('a'),
        KeyCode::Char('l'),
        KeyCode::Char('i'),
        KeyCode::Backspace,
        KeyCode::Backspace,
        KeyCode::Char('b'),
        KeyCode::Char(' '),
        KeyCode::Char('1'),
        KeyCode::Char('9'),
    ];
    for k in keys {
        p.key(&KeyEvent::new(k, KeyModifiers::NONE), &cands, &mut sel);
        let full = rank(p.query.text(), &cands);
        assert_eq!(p.ranked(&cands).into_owned(), full, "{:?}", p.query.text());
        assert_eq!(p.matches(&cands), full);
        assert_eq!(sel, full.first().map(|&i| cands[i].id.clone()));
    }
}
