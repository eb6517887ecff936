//! The allocator's settings: mimalloc (the console's global allocator) keeps the memory it
//! frees a while before handing it back, and SQLite allocates through it too.
//!
//! Measured with `cargo bench --bench chat_flood`: in a flood, the link's thread makes each
//! message and the loop's thread lets it go when the window moves on. With mimalloc's default
//! (free memory handed back to the system after 10 ms) the link kept taking fresh pages, and
//! the kernel zeroing them was a sixth of its time; with a second, the pages are used again.
//! SQLite's own allocations went through the C library's `malloc`, and counting them took a
//! lock each time (its memory statistics, which nothing here reads): together a fifth of the
//! store writer's time.

use std::ffi::{c_int, c_long, c_void};
use std::sync::Once;

// The native library is linked through the crate that builds it.
use libmimalloc_sys as _;

unsafe extern "C" {
    safe fn mi_option_set(option: c_int, value: c_long);
    fn mi_malloc(size: usize) -> *mut c_void;
    fn mi_free(p: *mut c_void);
    fn mi_realloc(p: *mut c_void, size: usize) -> *mut c_void;
    fn mi_usable_size(p: *const c_void) -> usize;
}

/// `mi_option_purge_delay` in mimalloc's option enum (the same in its versions 2 and 3).
const MI_OPTION_PURGE_DELAY: c_int = 15;
/// How long freed memory is kept before it goes back to the system, in milliseconds.
const PURGE_DELAY_MS: c_long = 1_000;

/// Sets mimalloc's purge delay. Called once, at the start (by the console and the benches
/// that stand for it); harmless under another global allocator (the setting is then unused).
pub fn tune() {
    mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
    sqlite();
}

/// SQLite's allocations through mimalloc, without its memory statistics. Must run before
/// SQLite starts (the first connection): every store opens through [`crate::store`], which
/// calls this first. Runs once; if SQLite had started already it keeps its defaults.
pub fn sqlite() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use rusqlite::ffi;
        unsafe extern "C" fn x_malloc(n: c_int) -> *mut c_void {
            // SAFETY: mimalloc returns memory aligned for any type, or null.
            unsafe { mi_malloc(usize::try_from(n).unwrap_or(0)) }
        }
        unsafe extern "C" fn x_free(p: *mut c_void) {
            // SAFETY: `p` came from x_malloc or x_realloc (SQLite's contract).
            unsafe { mi_free(p) }
        }
        unsafe extern "C" fn x_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
            // SAFETY: as x_free.
            unsafe { mi_realloc(p, usize::try_from(n).unwrap_or(0)) }
        }
        unsafe extern "C" fn x_size(p: *mut c_void) -> c_int {
            // SAFETY: as x_free.
            c_int::try_from(unsafe { mi_usable_size(p) }).unwrap_or(c_int::MAX)
        }
        unsafe extern "C" fn x_roundup(n: c_int) -> c_int {
            n
        }
        unsafe extern "C" fn x_init(_: *mut c_void) -> c_int {
            ffi::SQLITE_OK
        }
        unsafe extern "C" fn x_shutdown(_: *mut c_void) {}
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(x_malloc),
            xFree: Some(x_free),
            xRealloc: Some(x_realloc),
            xSize: Some(x_size),
            xRoundup: Some(x_roundup),
            xInit: Some(x_init),
            xShutdown: Some(x_shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: both calls come before SQLite is initialised (or fail harmlessly with
        // SQLITE_MISUSE if it was); SQLite copies the methods.
        unsafe {
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int);
            ffi::sqlite3_config(
                ffi::SQLITE_CONFIG_MALLOC,
                &methods as *const ffi::sqlite3_mem_methods,
            );
        }
    });
}
