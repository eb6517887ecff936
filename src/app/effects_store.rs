//! The effects that read and fill the local message store: searches, the messages around a
//! search result, pages while the link is down, the backfill, and the pages the server gives.

use super::super::{Effects, Msg};
use crate::store::writer::StoreWriter;
use crate::store::{Store, StoreError};

use crate::store::SEARCH_HITS;
/// Messages on each side of a search result read when it is opened.
const AROUND: usize = 50;

impl Effects {
    /// Reads the store on the blocking pool and sends what `answer` makes of the result.
    fn answer_from_store<T: Send + 'static>(
        &self,
        s: StoreWriter,
        read: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
        answer: impl FnOnce(Result<T, String>) -> Msg + Send + 'static,
    ) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let r = s.read(read).await.map_err(|e| e.to_string());
            let _ = tx.send(answer(r)).await;
        });
    }

    pub(super) fn search_store(&self, seq: u64, query: String) {
        let Some(s) = self.store.clone() else {
            let _ = self.tx.try_send(Msg::StoreSearched {
                seq,
                result: Err(
                    "no message store: it is turned off, or there is no chat server".into(),
                ),
            });
            return;
        };
        self.answer_from_store(
            s,
            move |st| st.search(&query, None, SEARCH_HITS),
            move |result| Msg::StoreSearched { seq, result },
        );
    }

    pub(super) fn load_around(&self, chat_id: String, message_id: String) {
        let Some(s) = self.store.clone() else { return };
        let (c, id) = (chat_id.clone(), message_id.clone());
        self.answer_from_store(
            s,
            move |st| st.around(&c, &id, AROUND),
            move |result| Msg::StoredAround {
                chat_id,
                message_id,
                result,
            },
        );
    }

    /// The page after the window's last message from the store, once what was queued for
    /// it is written.
    pub(super) fn stored_newer(&self, chat_id: String, after: String) {
        let Some(s) = self.store.clone() else {
            let _ = self.tx.try_send(Msg::NewerLoaded {
                chat_id,
                after,
                stored: true,
                result: Err(crate::app::AppError::Store(
                    "the link is down and there is no message store".into(),
                )),
            });
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            s.flush().await;
            let (c, a) = (chat_id.clone(), after.clone());
            let r = s
                .read(move |st| st.page_after(&c, &a, crate::app::history::HISTORY_PAGE as usize))
                .await
                .map_err(|e| crate::app::AppError::Store(format!("the message store: {e}")));
            let _ = tx
                .send(Msg::NewerLoaded {
                    chat_id,
                    after,
                    stored: true,
                    result: r,
                })
                .await;
        });
    }

    /// A page of the store's copy, while the link is down.
    pub(super) fn stored_page(&self, s: StoreWriter, chat_id: String, before: Option<String>) {
        let (c, b) = (chat_id.clone(), before.clone());
        self.answer_from_store(
            s,
            move |st| st.page(&c, b.as_deref(), crate::app::history::HISTORY_PAGE as usize),
            move |result| Msg::StoredPage {
                chat_id,
                before,
                result,
            },
        );
    }

    /// Copies a chat's whole history into the store, a page at a time as the writer commits
    /// them; progress and the end come back as `Msg::Backfilled`.
    pub(super) fn backfill(&self, chat_id: String) {
        let tx = self.tx.clone();
        let (Some(s), Some((h, _))) = (self.store.clone(), &self.chat) else {
            let _ = tx.try_send(Msg::Backfilled {
                chat_id,
                read: 0,
                done: Some(Err("there is no message store".into())),
            });
            return;
        };
        let h = h.clone();
        tokio::spawn(async move {
            let (c, tx2) = (chat_id.clone(), tx.clone());
            let r = crate::store::backfill::chat(
                &h,
                &chat_id,
                0,
                |w| {
                    s.write(w);
                    Ok(())
                },
                // Progress may be dropped when the loop is busy; the end is not.
                |read| {
                    let _ = tx2.try_send(Msg::Backfilled {
                        chat_id: c.clone(),
                        read,
                        done: None,
                    });
                },
                Some(&s),
            )
            .await;
            let (read, done) = match r {
                Ok(n) => (n, Ok(())),
                Err(e) => (0, Err(e.to_string())),
            };
            let _ = tx
                .send(Msg::Backfilled {
                    chat_id,
                    read,
                    done: Some(done),
                })
                .await;
        });
    }
}

/// A page of a chat's history from the server (older than `from`; None: the newest page),
/// written to the store on its way.
pub(super) async fn server_page(
    h: &crate::chat::ChatHandle,
    store: Option<&StoreWriter>,
    chat_id: &str,
    from: Option<String>,
) -> Result<Vec<crate::chat::types::Envelope>, crate::app::AppError> {
    let newest = from.is_none();
    let r = h
        .get_chat_history(crate::chat::methods::GetChatHistory {
            chat_id: chat_id.to_string(),
            count: crate::app::history::HISTORY_PAGE,
            from_message_id: from,
        })
        .await
        .map(|p| p.messages)
        .map_err(crate::app::AppError::from);
    if let (Some(s), Ok(page)) = (store, &r) {
        write_page(s, chat_id, newest, page);
    }
    r
}

/// A page the server gave, written to the store (it reconciles what the store held in its
/// span); the newest page of a chat also says it was open and read to there.
pub(super) fn write_page(
    s: &crate::store::writer::StoreWriter,
    chat_id: &str,
    newest: bool,
    page: &[crate::chat::types::Envelope],
) {
    let start = (page.len() as u64) < crate::app::history::HISTORY_PAGE;
    s.write(crate::store::Write::Page {
        chat_id: chat_id.to_string(),
        messages: page.to_vec(),
        newest,
        start,
    });
    if newest {
        let read = page
            .iter()
            .max_by_key(|e| e.timestamp)
            .map(|e| (e.message_id.clone(), e.timestamp));
        s.write(crate::store::Write::Opened {
            chat_id: chat_id.to_string(),
            read,
        });
    }
}
