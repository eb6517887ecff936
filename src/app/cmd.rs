/// Effects that `update` asks the runtime to perform. `update` itself does no I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    /// Leave the program (the runtime restores the terminal).
    Quit,
    /// Ring the terminal bell (only emitted when `[ui] bell` is on).
    Bell,
}
